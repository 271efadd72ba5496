import { BufferJSON, type SignalDataTypeMap } from 'baileys';
import { decrypt, encrypt, type Keyring } from '../../crypto/envelope.ts';
import { whatsappAuthKeyContext } from '../../crypto/rotate-keys.ts';
import type { Queryable } from '../../db/database.ts';
import { AppError } from '../../errors.ts';

/**
 * Rows of `whatsapp_auth_keys`: one baileys value each (the creds, or one signal key), serialised
 * with baileys' BufferJSON and sealed in an envelope bound to (number, type, key id) — exactly the
 * context `akked keys rotate` rebuilds, so rotation re-encrypts them like any other credential.
 */

/** Every signal key type of baileys 7.0.0-rc14's SignalDataTypeMap. */
export const SIGNAL_KEY_TYPES = [
  'pre-key',
  'session',
  'sender-key',
  'sender-key-memory',
  'app-state-sync-key',
  'app-state-sync-version',
  'lid-mapping',
  'device-list',
  'tctoken',
  'identity-key',
] as const satisfies readonly (keyof SignalDataTypeMap)[];

export type SignalKeyType = (typeof SIGNAL_KEY_TYPES)[number];

// Fails to compile when a baileys upgrade adds a key type this store does not know about.
type UnlistedKeyTypes = Exclude<keyof SignalDataTypeMap, SignalKeyType>;
const EVERY_KEY_TYPE_LISTED: [UnlistedKeyTypes] extends [never] ? true : never = true;
void EVERY_KEY_TYPE_LISTED;

/** The creds row: type `creds` (never a signal key type, so no clash) and an empty key id. */
export const CREDS_TYPE = 'creds';
export const CREDS_KEY_ID = '';

const KNOWN_TYPES: ReadonlySet<string> = new Set(SIGNAL_KEY_TYPES);

export const assertSignalKeyType = (type: string): void => {
  if (!KNOWN_TYPES.has(type)) throw new AppError('internal', { message: `unknown signal key type ${type}`, retryable: false });
};

export const serializeAuthValue = (value: unknown): string => JSON.stringify(value, BufferJSON.replacer);

export const parseAuthValue = (text: string): unknown => JSON.parse(text, BufferJSON.reviver) as unknown;

export const sealAuthValue = (keyring: Keyring, numberId: string, type: string, keyId: string, value: unknown): string =>
  encrypt(keyring, serializeAuthValue(value), whatsappAuthKeyContext(numberId, type, keyId));

/** Throws AppError `internal` for a tampered envelope or one copied from another number, type or key id. */
export const openAuthValue = (keyring: Keyring, numberId: string, type: string, keyId: string, envelope: string): unknown =>
  parseAuthValue(decrypt(keyring, envelope, whatsappAuthKeyContext(numberId, type, keyId)).toString('utf8'));

export type AuthRowWrite = { type: string; keyId: string; envelope: string };
export type AuthRowKey = { type: string; keyId: string };

/** Upserts and deletes rows of one number with two statements, in the caller's transaction. */
export const writeAuthRows = async (
  queryable: Queryable,
  numberId: string,
  writes: readonly AuthRowWrite[],
  deletes: readonly AuthRowKey[],
): Promise<void> => {
  if (writes.length > 0) {
    await queryable.query(
      `insert into whatsapp_auth_keys (number_id, type, key_id, envelope, updated_at)
       select $1, item.type, item.key_id, item.envelope, now()
       from unnest($2::text[], $3::text[], $4::text[]) as item(type, key_id, envelope)
       on conflict (number_id, type, key_id) do update set envelope = excluded.envelope, updated_at = now()`,
      [numberId, writes.map((write) => write.type), writes.map((write) => write.keyId), writes.map((write) => write.envelope)],
    );
  }
  if (deletes.length > 0) {
    await queryable.query(
      `delete from whatsapp_auth_keys as stored
       using unnest($2::text[], $3::text[]) as item(type, key_id)
       where stored.number_id = $1 and stored.type = item.type and stored.key_id = item.key_id`,
      [numberId, deletes.map((entry) => entry.type), deletes.map((entry) => entry.keyId)],
    );
  }
};
