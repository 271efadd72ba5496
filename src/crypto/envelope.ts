import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';
import { AppError } from '../errors.ts';

/**
 * Envelope encryption of credentials (DESIGN.md §4): AES-256-GCM with a random 12-byte IV, the
 * owner and purpose bound as additional authenticated data (a value copied to another owner or
 * purpose fails to decrypt), and the key id inside the envelope so `akked keys rotate` can find
 * what still uses an old key.
 *
 * Format: `v1.<keyId>.<iv base64url>.<ciphertext base64url>.<tag base64url>`
 */
export type MasterKey = { id: string; key: Buffer };

export type Keyring = {
  /** New values are encrypted with this key. */
  current: MasterKey;
  /** Every key that may still have encrypted something, the current one included. */
  byId: ReadonlyMap<string, MasterKey>;
};

export type EncryptionContext = {
  /** Who the value belongs to: a number id, a store id... */
  ownerId: string;
  /** What the value is: `whatsapp-auth`, `write-back`, `webhook-secrets`, `cloud-api`... */
  purpose: string;
};

const VERSION = 'v1';
const IV_BYTES = 12;
/** GCM's full tag. Without a fixed length Node accepts tags down to 4 bytes, which a forger can guess. */
const AUTH_TAG_BYTES = 16;

/** Key ids are a hash of the key, so the same key always has the same id and no registry is needed. */
export const keyIdOf = (key: Buffer): string => createHash('sha256').update(key).digest('base64url').slice(0, 12);

export const toMasterKey = (base64: string): MasterKey => {
  const key = Buffer.from(base64, 'base64');
  if (key.length !== 32) throw new AppError('bad_request', { message: 'a master key must be 32 bytes' });

  return { id: keyIdOf(key), key };
};

export const createKeyring = (current: MasterKey, previous: MasterKey[] = []): Keyring => {
  const byId = new Map<string, MasterKey>();
  for (const key of [current, ...previous]) byId.set(key.id, key);

  return { current, byId };
};

const additionalData = (context: EncryptionContext): Buffer =>
  Buffer.from(`akked|${context.purpose}|${context.ownerId}`, 'utf8');

export const encrypt = (keyring: Keyring, plaintext: Buffer | string, context: EncryptionContext): string => {
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv('aes-256-gcm', keyring.current.key, iv, { authTagLength: AUTH_TAG_BYTES });
  cipher.setAAD(additionalData(context));
  const ciphertext = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  const tag = cipher.getAuthTag();

  return [VERSION, keyring.current.id, iv.toString('base64url'), ciphertext.toString('base64url'), tag.toString('base64url')].join('.');
};

export const envelopeKeyId = (envelope: string): string => {
  const [version, keyId] = envelope.split('.');
  if (version !== VERSION || !keyId) throw new AppError('internal', { message: 'not an Akked credential envelope', retryable: false });

  return keyId;
};

export const decrypt = (keyring: Keyring, envelope: string, context: EncryptionContext): Buffer => {
  const parts = envelope.split('.');
  const [version, keyId, iv, ciphertext, tag] = parts;
  if (parts.length !== 5 || version !== VERSION || !keyId || !iv || ciphertext === undefined || !tag) {
    throw new AppError('internal', { message: 'not an Akked credential envelope', retryable: false });
  }
  const masterKey = keyring.byId.get(keyId);
  if (!masterKey) {
    throw new AppError('internal', {
      message: `credential encrypted with unknown key ${keyId}; set AKKED_PREVIOUS_MASTER_KEYS`,
      retryable: false,
    });
  }
  try {
    const ivBytes = Buffer.from(iv, 'base64url');
    const tagBytes = Buffer.from(tag, 'base64url');
    if (ivBytes.length !== IV_BYTES || tagBytes.length !== AUTH_TAG_BYTES) throw new Error(`expected a ${IV_BYTES}-byte IV and a ${AUTH_TAG_BYTES}-byte tag`);
    const decipher = createDecipheriv('aes-256-gcm', masterKey.key, ivBytes, { authTagLength: AUTH_TAG_BYTES });
    decipher.setAAD(additionalData(context));
    decipher.setAuthTag(tagBytes);

    return Buffer.concat([decipher.update(Buffer.from(ciphertext, 'base64url')), decipher.final()]);
  } catch (error) {
    throw new AppError('internal', {
      message: 'credential failed authentication (tampered, or bound to another owner or purpose)',
      retryable: false,
      cause: error,
    });
  }
};

export const encryptJson = (keyring: Keyring, value: unknown, context: EncryptionContext): string =>
  encrypt(keyring, JSON.stringify(value), context);

export const decryptJson = (keyring: Keyring, envelope: string, context: EncryptionContext): unknown =>
  JSON.parse(decrypt(keyring, envelope, context).toString('utf8'));
