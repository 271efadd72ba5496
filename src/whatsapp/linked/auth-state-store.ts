import {
  BufferJSON,
  initAuthCreds,
  proto,
  type AuthenticationCreds,
  type AuthenticationState,
  type SignalDataSet,
  type SignalDataTypeMap,
  type SignalKeyStore,
} from 'baileys';
import { z } from 'zod';
import { decrypt, encrypt, type Keyring } from '../../crypto/envelope.ts';
import { whatsappAuthKeyContext } from '../../crypto/rotate-keys.ts';
import type { Database, Queryable, Transaction } from '../../db/database.ts';
import { AppError } from '../../errors.ts';

/**
 * The auth state of a linked device (baileys creds + signal keys) in `whatsapp_auth_keys`, one row
 * per value, every value serialised with baileys' BufferJSON and sealed in an AES-256-GCM envelope
 * bound to (number, type, key id) — the context `akked keys rotate` rebuilds. Nothing touches the
 * local disk, so any worker can pick a number up after another one died.
 */

const KeyPairSchema = z.object({ public: z.instanceof(Uint8Array), private: z.instanceof(Uint8Array) });

// Decrypted creds passed authentication, so they are ours; this only catches a row written by an
// incompatible version before baileys trips over it deep inside the handshake.
const StoredCredsSchema = z.looseObject({
  noiseKey: KeyPairSchema,
  pairingEphemeralKeyPair: KeyPairSchema,
  signedIdentityKey: KeyPairSchema,
  signedPreKey: z.looseObject({ keyPair: KeyPairSchema, signature: z.instanceof(Uint8Array), keyId: z.number() }),
  registrationId: z.number(),
  advSecretKey: z.string(),
});

const assertKnownType = (type: string): void => {
  if (!KNOWN_TYPES.has(type)) throw new AppError('internal', { message: `unknown signal key type ${type}`, retryable: false });
};

const loadCreds = async (database: Database, keyring: Keyring, numberId: string): Promise<AuthenticationCreds> => {
  const [row] = await database.query<{ envelope: string }>(
    'select envelope from whatsapp_auth_keys where number_id = $1 and type = $2 and key_id = $3',
    [numberId, CREDS_TYPE, CREDS_KEY_ID],
  );
  if (!row) return initAuthCreds();
  const creds = openAuthValue(keyring, numberId, CREDS_TYPE, CREDS_KEY_ID, row.envelope);
  const parsed = StoredCredsSchema.safeParse(creds);
  if (!parsed.success) {
    throw new AppError('internal', { message: 'stored linked-device credentials are not baileys creds', retryable: false });
  }

  return creds as AuthenticationCreds;
};

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
      assertKnownType(type);
      const found: { [id: string]: SignalDataTypeMap[T] } = {};
      if (ids.length === 0) return found;
      const rows = await database.query<{ key_id: string; envelope: string }>(
        'select key_id, envelope from whatsapp_auth_keys where number_id = $1 and type = $2 and key_id = any($3::text[])',
        [numberId, type, ids],
      );
      for (const row of rows) {
        const value = openAuthValue(keyring, numberId, type, row.key_id, row.envelope);
        // protobufjs serialises bytes as base64 strings; fromObject turns them back into bytes
        // (exactly what baileys' reference store does).
        found[row.key_id] = (
          type === 'app-state-sync-key' ? proto.Message.AppStateSyncKeyData.fromObject(value as Record<string, unknown>) : value
        ) as SignalDataTypeMap[T];
      }

      return found;
    },
    async set(data: SignalDataSet): Promise<void> {
      const writes: PendingWrite[] = [];
      const deletes: PendingDelete[] = [];
      for (const [type, values] of Object.entries(data)) {
        assertKnownType(type);
        for (const [keyId, value] of Object.entries(values ?? {})) {
          if (value === null || value === undefined) deletes.push({ type, keyId });
          else writes.push({ type, keyId, envelope: sealAuthValue(keyring, numberId, type, keyId, value) });
        }
      }
      if (writes.length === 0 && deletes.length === 0) return;
      // Encrypted before the transaction opens: it holds locks only for the SQL itself.
      await inFencedTransaction((transaction) => writeAuthRows(transaction, numberId, writes, deletes));
    },
  };

  // Coalesces bursts of creds.update into one write of the latest creds; writes never overlap.
  let running: Promise<void> = Promise.resolve();
  let queued: Promise<void> | null = null;
  const writeCreds = async (): Promise<void> => {
    const envelope = sealAuthValue(keyring, numberId, CREDS_TYPE, CREDS_KEY_ID, creds);
    await inFencedTransaction((transaction) => writeAuthRows(transaction, numberId, [{ type: CREDS_TYPE, keyId: CREDS_KEY_ID, envelope }], []));
  };
  const saveCreds = (): Promise<void> => {
    if (queued) return queued;
    const next = running
      .catch(() => undefined)
      .then(async () => {
        queued = null;
        await writeCreds();
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
 * the device out). Not fenced: removal must win over a session that is still running.
 */
export const deleteAuthState = async (database: Queryable, numberId: string): Promise<number> => {
  const rows = await database.query('delete from whatsapp_auth_keys where number_id = $1 returning 1', [numberId]);

  return rows.length;
};

export { deleteAuthKeysForJid, type ContactKeyErasure } from './contact-key-erasure.ts';
