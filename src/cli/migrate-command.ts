import { openConfiguredDatabase } from '../db/database.ts';
import { migrate } from '../db/migrate.ts';
import { loadConfigOrExplain, type CommandIo } from './command-io.ts';

const HELP = `Usage: akked migrate

Applies every pending numbered migration (forward only) to the database of DATABASE_URL, or to the
embedded database in AKKED_DATA_DIR, prints what it applied as JSON, and exits. "akked serve", "api"
and "worker" also migrate on start; several processes starting at once apply each migration once.`;

export const runMigrateCommand = async (args: string[], io: CommandIo): Promise<number> => {
  if (args.includes('--help') || args.includes('-h')) {
    io.stdout(`${HELP}\n`);

    return 0;
  }
  if (args.length > 0) {
    io.stderr(`akked migrate: unexpected argument "${args[0]}"\n\n${HELP}\n`);

    return 2;
  }
  const config = loadConfigOrExplain(io);
  if (!config) return 1;
  try {
    const database = await openConfiguredDatabase(config);
    try {
      const result = await migrate(database);
      io.stdout(`${JSON.stringify(result)}\n`);
    } finally {
      await database.close();
    }

    return 0;
  } catch (error) {
    io.stderr(`akked migrate: ${(error as Error).message}\n`);

    return 1;
  }
};
