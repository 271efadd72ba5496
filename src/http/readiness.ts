import type { Database } from '../db/database.ts';
import { hasPendingMigrations } from '../db/migrate.ts';

export type Readiness = { isReady: true } | { isReady: false; reason: string };

/** Ready: the database answers and every migration is applied. The same answer on every port. */
export const checkReadiness = async (database: Database): Promise<Readiness> => {
  try {
    await database.query('select 1');
    if (await hasPendingMigrations(database)) return { isReady: false, reason: 'database migrations are pending (run akked migrate)' };
  } catch {
    return { isReady: false, reason: 'the database does not answer' };
  }

  return { isReady: true };
};
