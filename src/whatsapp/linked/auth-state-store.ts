import {
  initAuthCreds,
  proto,
  type AuthenticationCreds,
  type AuthenticationState,
  type SignalDataSet,
  type SignalDataTypeMap,
  type SignalKeyStore,
} from 'baileys';
import { z } from 'zod';
import type { Keyring } from '../../crypto/envelope.ts';
import type { Database, Queryable, Transaction } from '../../db/database.ts';
import { AppError } from '../../errors.ts';
import {
  assertSignalKeyType,
  CREDS_KEY_ID,
  CREDS_TYPE,
  openAuthValue,
  sealAuthValue,
  writeAuthRows,
  type AuthRowKey,
  type AuthRowWrite,
} from './auth-key-rows.ts';

/**
 * The auth state of a linked device (baileys creds + every signal key) in PostgreSQL, each value
 * encrypted (see `auth-key-rows.ts`). Nothing touches the local disk, so any worker can take a
 * number over after another one died, and a hibernated number costs no memory.
 */

export { CREDS_KEY_ID, CREDS_TYPE, SIGNAL_KEY_TYPES, type SignalKeyType } from './auth-key-rows.ts';
export { deleteAuthKeysForContacts, deleteAuthKeysForJid } from './contact-key-erasure.ts';

/** Refuses a write when this process no longer holds the number's lease (throws `lease_lost`). */
export type AuthStateFencing = { check(transaction: Transaction): Promise<void> };

export type CreateDatabaseAuthStateOptions = {
  database: Database;
  keyring: Keyring;
  numberId: string;
  /** Called first inside every write transaction, so a stale lease holder writes nothing. */
  fencing?: AuthStateFencing;
};

export type DatabaseAuthState = {
  state: AuthenticationState;
  /** Writes `state.creds` as they are now (baileys mutates them in place before `creds.update`). */
  saveCreds(): Promise<void>;
  /** Deletes the creds and every key of the number, fenced like every other write. */
  clear(): Promise<void>;
};

const KeyPairSchema = z.object({ public: z.instanceof(Uint8Array), private: z.instanceof(Uint8Array) });

// Decrypted creds passed authentication, so they are ours; this only catches a row of an
// incompatible format before baileys trips over it deep inside the handshake.
const StoredCredsSchema = z.looseObject({
  noiseKey: KeyPairSchema,
  pairingEphemeralKeyPair: KeyPairSchema,
  signedIdentityKey: KeyPairSchema,
  signedPreKey: z.looseObject({ keyPair: KeyPairSchema, signature: z.instanceof(Uint8Array), keyId: z.number() }),
  registrationId: z.number(),
  advSecretKey: z.string(),
});

const loadCreds = async (database: Database, keyring: Keyring, numberId: string): Promise<AuthenticationCreds> => {
  const [row] = await database.query<{ envelope: string }>(
    'select envelope from whatsapp_auth_keys where number_id = $1 and type = $2 and key_id = $3',
    [numberId, CREDS_TYPE, CREDS_KEY_ID],
  );
  if (!row) return initAuthCreds();
  const creds = openAuthValue(keyring, numberId, CREDS_TYPE, CREDS_KEY_ID, row.envelope);
  if (!StoredCredsSchema.safeParse(creds).success) {
    throw new AppError('internal', { message: 'the stored linked-device credentials are not baileys creds', retryable: false });
  }

  return creds as AuthenticationCreds;
};

/**
 * Loads (or, for a number never linked, creates in memory) the auth state of a number.
 *
 * - `keys.get` decrypts; app-state-sync keys are rebuilt as protobuf objects like baileys'
 *   reference store does. A tampered envelope throws instead of silently acting as "no key".
 * - `keys.set` writes every change of one call (upserts; `null` deletes) in ONE transaction,
 *   opened only after all values are encrypted and starting with the fencing check.
 * - `saveCreds` coalesces bursts of `creds.update` into one write of the latest creds.
 */
export const createDatabaseAuthState = async (options: CreateDatabaseAuthStateOptions): Promise<DatabaseAuthState> => {
  const { database, keyring, numberId, fencing } = options;
  const creds = await loadCreds(database, keyring, numberId);

  const inFencedTransaction = <T>(work: (transaction: Transaction) => Promise<T>): Promise<T> =>
    database.transaction(async (transaction) => {
      await fencing?.check(transaction);

      return work(transaction);
    });

  const keys: SignalKeyStore = {
    async get<T extends keyof SignalDataTypeMap>(type: T, ids: string[]): Promise<{ [id: string]: SignalDataTypeMap[T] }> {
      assertSignalKeyType(type);
      const found: { [id: string]: SignalDataTypeMap[T] } = {};
      if (ids.length === 0) return found;
      const rows = await database.query<{ key_id: string; envelope: string }>(
        'select key_id, envelope from whatsapp_auth_keys where number_id = $1 and type = $2 and key_id = any($3::text[])',
        [numberId, type, ids],
      );
      for (const row of rows) {
        const value = openAuthValue(keyring, numberId, type, row.key_id, row.envelope);
        // protobufjs serialises bytes as base64 strings; fromObject turns them back into bytes.
        found[row.key_id] = (
          type === 'app-state-sync-key' ? proto.Message.AppStateSyncKeyData.fromObject(value as Record<string, unknown>) : value
        ) as SignalDataTypeMap[T];
      }

      return found;
    },
    async set(data: SignalDataSet): Promise<void> {
      const writes: AuthRowWrite[] = [];
      const deletes: AuthRowKey[] = [];
      for (const [type, values] of Object.entries(data)) {
        assertSignalKeyType(type);
        for (const [keyId, value] of Object.entries(values ?? {})) {
          if (value === null || value === undefined) deletes.push({ type, keyId });
          else writes.push({ type, keyId, envelope: sealAuthValue(keyring, numberId, type, keyId, value) });
        }
      }
      if (writes.length === 0 && deletes.length === 0) return;
      await inFencedTransaction((transaction) => writeAuthRows(transaction, numberId, writes, deletes));
    },
  };

  let running: Promise<void> = Promise.resolve();
  let queued: Promise<void> | null = null;
  const saveCreds = (): Promise<void> => {
    // A write not started yet will pick up the latest creds anyway: join it.
    if (queued) return queued;
    const next = running
      .catch(() => undefined)
      .then(async () => {
        queued = null;
        const envelope = sealAuthValue(keyring, numberId, CREDS_TYPE, CREDS_KEY_ID, creds);
        await inFencedTransaction((transaction) => writeAuthRows(transaction, numberId, [{ type: CREDS_TYPE, keyId: CREDS_KEY_ID, envelope }], []));
      });
    queued = next;
    running = next;

    return next;
  };

  return {
    state: { creds, keys },
    saveCreds,
    clear: () =>
      inFencedTransaction(async (transaction) => {
        await transaction.query('delete from whatsapp_auth_keys where number_id = $1', [numberId]);
      }),
  };
};

/**
 * Deletes a number's creds and keys at once (the merchant removed the number, or WhatsApp logged
 * the device out). Not fenced: a removal must win over a session that is still running.
 */
export const deleteAuthState = async (database: Queryable, numberId: string): Promise<number> => {
  const rows = await database.query('delete from whatsapp_auth_keys where number_id = $1 returning 1', [numberId]);

  return rows.length;
};
