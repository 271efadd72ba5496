import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { AppError } from '../errors.ts';

/*
 * Signature checks shared by the platform adapters (DESIGN.md §4): over the raw body, against each of
 * the store's secrets (rotation), with timing-safe compares on equal-length buffers.
 */

export const invalidSignature = (message: string): AppError => new AppError('invalid_signature', { message });

export const hmacSha256 = (key: string | Buffer, ...parts: (string | Buffer)[]): Buffer => {
  const hmac = createHmac('sha256', key);
  for (const part of parts) hmac.update(part);

  return hmac.digest();
};

const sha256 = (text: string): Buffer => createHash('sha256').update(text, 'utf8').digest();

/**
 * Whether a presented token equals a secret. Hashing both first gives equal-length buffers, so the
 * compare leaks neither the content nor the length of the secret.
 */
export const isSameToken = (presented: string, secret: string): boolean => timingSafeEqual(sha256(presented), sha256(secret));

const BASE64_SHA256 = /^[A-Za-z0-9+/]{43}=?$/;
const HEX_SHA256 = /^[0-9a-fA-F]{64}$/;

/**
 * Whether a presented signature (base64 or hex text) is the expected 32-byte digest. Text that is
 * not a well-formed digest is refused before decoding, as Buffer decoding skips bad characters.
 */
export const isSameDigest = (presented: string, expected: Buffer, encoding: 'base64' | 'hex'): boolean => {
  const isWellFormed = encoding === 'base64' ? BASE64_SHA256.test(presented) : HEX_SHA256.test(presented);
  if (!isWellFormed) return false;
  const decoded = Buffer.from(presented, encoding);

  return decoded.length === expected.length && timingSafeEqual(decoded, expected);
};

/**
 * Passes when `matches` holds for one of the store's secrets; `invalid_signature` otherwise. Blank
 * secrets are skipped: an empty HMAC key would let anyone sign.
 */
export const requireAnySecret = (secrets: readonly string[], matches: (secret: string) => boolean, failure: string): void => {
  const usable = secrets.filter((secret) => secret.length > 0);
  if (usable.length === 0) throw invalidSignature('The store has no webhook secret configured');
  // Every secret is tried even after a match, so the time taken does not tell which one matched.
  let isMatch = false;
  for (const secret of usable) {
    if (matches(secret)) isMatch = true;
  }
  if (!isMatch) throw invalidSignature(failure);
};
