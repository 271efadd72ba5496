import { createHash } from 'node:crypto';
import { z } from 'zod';
import type { Queryable } from '../db/database.ts';

/**
 * Told to every api process (NOTIFY) when access ends: a revoked API key, a deleted session, a
 * deleted account. Live connections opened with that access (order streams) close at once.
 */
export const ACCESS_REVOKED_CHANNEL = 'akked_access_revoked';

export const RevocationSchema = z.union([
  z.object({ apiKeyId: z.string() }),
  // Never the session token itself: NOTIFY payloads may reach logs of the database.
  z.object({ sessionTokenHash: z.string() }),
  z.object({ accountId: z.string() }),
]);

export type Revocation = z.infer<typeof RevocationSchema>;

export const hashSessionToken = (token: string): string => createHash('sha256').update(token).digest('base64url');

/** Sent when the surrounding transaction commits (NOTIFY is transactional). */
export const notifyAccessRevoked = async (queryable: Queryable, revocation: Revocation): Promise<void> => {
  await queryable.query('select pg_notify($1, $2)', [ACCESS_REVOKED_CHANNEL, JSON.stringify(revocation)]);
};
