import { createHash, randomBytes } from 'node:crypto';
import type { Database } from '../db/database.ts';
import { AppError } from '../errors.ts';
import { newId } from '../ids.ts';
import { notifyAccessRevoked } from './access-revocation.ts';
import { API_KEY_SCOPES, DEFAULT_API_KEY_SCOPES, type ApiKeyScope } from './api-key-scopes.ts';
import { assertBelowQuota } from './quotas.ts';

export const API_KEY_PREFIX = 'ak_';

const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

export const hashApiKey = (key: string): string => createHash('sha256').update(key).digest('hex');

const generateKey = (): string => {
  let body = '';
  for (const byte of randomBytes(40)) {
    // 248 = 4 × 62: dropping higher bytes keeps every character equally likely.
    if (byte < 248) body += BASE62[byte % 62];
    if (body.length === 32) break;
  }

  return body.length === 32 ? `${API_KEY_PREFIX}${body}` : generateKey();
};

export type ApiKeySummary = {
  id: string;
  name: string;
  prefix: string;
  scopes: ApiKeyScope[];
  createdAt: string;
  lastUsedAt: string | null;
};

type ApiKeyRow = { id: string; name: string; key_prefix: string; scopes: string[]; created_at: Date; last_used_at: Date | null };

const readScopes = (stored: readonly string[]): ApiKeyScope[] => API_KEY_SCOPES.filter((scope) => stored.includes(scope));

const toSummary = (row: ApiKeyRow): ApiKeySummary => ({
  id: row.id,
  name: row.name,
  prefix: row.key_prefix,
  scopes: readScopes(row.scopes),
  createdAt: row.created_at.toISOString(),
  lastUsedAt: row.last_used_at?.toISOString() ?? null,
});

/** Creates a key; the returned `key` is the only time anyone sees it (only its hash is stored). */
export const createApiKey = async (
  database: Database,
  options: { accountId: string; name: string; scopes?: readonly ApiKeyScope[]; createdByUserId: string | null; maxKeys?: number },
): Promise<ApiKeySummary & { key: string }> => {
  const key = generateKey();
  const id = newId('apiKey');
  const row = await database.transaction(async (transaction) => {
    if (options.maxKeys !== undefined) await assertBelowQuota(transaction, options.accountId, 'api_keys', options.maxKeys);
    const [inserted] = await transaction.query<ApiKeyRow>(
      `insert into api_keys (id, account_id, name, key_hash, key_prefix, created_by_user_id, scopes)
       values ($1, $2, $3, $4, $5, $6, $7::text[])
       returning id, name, key_prefix, scopes, created_at, last_used_at`,
      [id, options.accountId, options.name, hashApiKey(key), key.slice(0, 7), options.createdByUserId, [...new Set(options.scopes ?? DEFAULT_API_KEY_SCOPES)]],
    );

    return inserted as ApiKeyRow;
  });

  return { ...toSummary(row), key };
};

export const listApiKeys = async (database: Database, accountId: string): Promise<ApiKeySummary[]> => {
  const rows = await database.query<ApiKeyRow>(
    `select id, name, key_prefix, scopes, created_at, last_used_at from api_keys
     where account_id = $1 and revoked_at is null order by created_at desc, id`,
    [accountId],
  );

  return rows.map(toSummary);
};

export const revokeApiKey = async (database: Database, accountId: string, id: string): Promise<void> => {
  await database.transaction(async (transaction) => {
    const rows = await transaction.query(
      'update api_keys set revoked_at = now() where id = $1 and account_id = $2 and revoked_at is null returning id',
      [id, accountId],
    );
    if (rows.length === 0) throw new AppError('not_found', { message: 'API key not found' });
    await notifyAccessRevoked(transaction, { apiKeyId: id });
  });
};

/** The account and scopes of a live key, or null for an unknown or revoked one. */
export const findAccountByApiKey = async (
  database: Database,
  key: string,
): Promise<{ accountId: string; keyId: string; scopes: ApiKeyScope[] } | null> => {
  if (!key.startsWith(API_KEY_PREFIX) || key.length > 100) return null;
  const [row] = await database.query<{ id: string; account_id: string; scopes: string[]; last_used_at: Date | null }>(
    'select id, account_id, scopes, last_used_at from api_keys where key_hash = $1 and revoked_at is null',
    [hashApiKey(key)],
  );
  if (!row) return null;
  // Recording every use would turn each API read into a write; once a minute is precise enough.
  if (!row.last_used_at || Date.now() - row.last_used_at.getTime() > 60_000) {
    await database.query('update api_keys set last_used_at = now() where id = $1', [row.id]);
  }

  return { accountId: row.account_id, keyId: row.id, scopes: readScopes(row.scopes) };
};
