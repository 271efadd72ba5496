import type { Keyring } from '../crypto/envelope.ts';
import { decryptJson, encryptJson, envelopeKeyId } from '../crypto/envelope.ts';
import type { Queryable } from '../db/database.ts';
import { newId } from '../ids.ts';

/**
 * Secrets Akked must be able to read back (store API tokens, webhook secrets, Cloud API tokens),
 * one envelope per owner and purpose. Decrypt only at the point of use.
 */
export type CredentialPurpose = 'webhook-secrets' | 'write-back' | 'cloud-api';

export const saveCredential = async (
  queryable: Queryable,
  keyring: Keyring,
  options: { accountId: string; ownerId: string; purpose: CredentialPurpose; value: unknown },
): Promise<void> => {
  const envelope = encryptJson(keyring, options.value, { ownerId: options.ownerId, purpose: options.purpose });
  await queryable.query(
    `insert into credentials (id, account_id, owner_id, purpose, envelope, key_id)
     values ($1, $2, $3, $4, $5, $6)
     on conflict (owner_id, purpose) do update set envelope = excluded.envelope, key_id = excluded.key_id, updated_at = now()`,
    [newId('credential'), options.accountId, options.ownerId, options.purpose, envelope, envelopeKeyId(envelope)],
  );
};

export const readCredential = async (
  queryable: Queryable,
  keyring: Keyring,
  ownerId: string,
  purpose: CredentialPurpose,
): Promise<unknown | null> => {
  const [row] = await queryable.query<{ envelope: string }>('select envelope from credentials where owner_id = $1 and purpose = $2', [
    ownerId,
    purpose,
  ]);

  return row ? decryptJson(keyring, row.envelope, { ownerId, purpose }) : null;
};

export const deleteCredential = async (queryable: Queryable, ownerId: string, purpose?: CredentialPurpose): Promise<number> => {
  const rows = purpose
    ? await queryable.query('delete from credentials where owner_id = $1 and purpose = $2 returning 1', [ownerId, purpose])
    : await queryable.query('delete from credentials where owner_id = $1 returning 1', [ownerId]);

  return rows.length;
};
