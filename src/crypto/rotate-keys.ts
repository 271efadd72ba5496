import type { Database } from '../db/database.ts';
import { decrypt, encrypt, envelopeKeyId, type EncryptionContext, type Keyring } from './envelope.ts';

/** Additional data of a linked-device auth value: bound to its number, key type and key id. */
export const whatsappAuthKeyContext = (numberId: string, type: string, keyId: string): EncryptionContext => ({
  ownerId: numberId,
  purpose: `whatsapp-auth:${type}:${keyId}`,
});

/** Every table that holds envelopes, with how to rebuild each row's encryption context. */
type EncryptedTable = {
  table: string;
  /** Columns that identify a row, in order. */
  keyColumns: string[];
  context(row: Record<string, string>): EncryptionContext;
};

const ENCRYPTED_TABLES: EncryptedTable[] = [
  {
    table: 'credentials',
    keyColumns: ['id', 'owner_id', 'purpose'],
    context: (row) => ({ ownerId: row.owner_id ?? '', purpose: row.purpose ?? '' }),
  },
  {
    table: 'whatsapp_auth_keys',
    keyColumns: ['number_id', 'type', 'key_id'],
    context: (row) => whatsappAuthKeyContext(row.number_id ?? '', row.type ?? '', row.key_id ?? ''),
  },
];

export type RotationResult = { reEncrypted: Record<string, number>; remainingOnOldKeys: number };

/**
 * Re-encrypts every envelope not under the keyring's current key, in batches, while the service
 * runs: each row is replaced only if it still holds the envelope we read (a concurrent write with
 * the new key wins), so nothing is lost and nothing stops.
 */
export const rotateKeys = async (database: Database, keyring: Keyring, batchSize = 500): Promise<RotationResult> => {
  const reEncrypted: Record<string, number> = {};
  let remainingOnOldKeys = 0;
  for (const encrypted of ENCRYPTED_TABLES) {
    let count = 0;
    const seen = new Set<string>();
    for (;;) {
      const rows = await database.query<Record<string, string>>(
        `select ${encrypted.keyColumns.join(', ')}, envelope from ${encrypted.table}
         where envelope not like $1 order by ${encrypted.keyColumns.join(', ')} limit $2`,
        [`v1.${keyring.current.id}.%`, batchSize + seen.size],
      );
      const pending = rows.filter((row) => !seen.has(encrypted.keyColumns.map((column) => row[column]).join('\u0000')));
      if (pending.length === 0) break;
      for (const row of pending) {
        const identity = encrypted.keyColumns.map((column) => row[column]).join('\u0000');
        seen.add(identity);
        const envelope = row.envelope ?? '';
        if (!keyring.byId.has(envelopeKeyId(envelope))) {
          remainingOnOldKeys++;
          continue;
        }
        const context = encrypted.context(row);
        const replacement = encrypt(keyring, decrypt(keyring, envelope, context), context);
        const where = encrypted.keyColumns.map((column, index) => `${column} = $${index + 3}`).join(' and ');
        const updated = await database.query(
          `update ${encrypted.table} set envelope = $1${encrypted.table === 'credentials' ? ", key_id = split_part($1, '.', 2)" : ''}
           where envelope = $2 and ${where} returning 1`,
          [replacement, envelope, ...encrypted.keyColumns.map((column) => row[column])],
        );
        if (updated.length > 0) count++;
      }
    }
    reEncrypted[encrypted.table] = count;
  }

  return { reEncrypted, remainingOnOldKeys };
};
