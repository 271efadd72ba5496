import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { createKeyring, decrypt, decryptJson, encrypt, encryptJson, toMasterKey } from './envelope.ts';
import { loadKeyring } from './master-key.ts';

const newKey = () => toMasterKey(randomBytes(32).toString('base64'));
const context = { ownerId: 'num_1', purpose: 'whatsapp-auth:creds:' };

describe('credential envelopes', () => {
  it('round-trips a value and never stores the plaintext', () => {
    const keyring = createKeyring(newKey());
    const envelope = encryptJson(keyring, { token: 'EAAG-secret-token' }, context);
    expect(envelope).toMatch(/^v1\.[\w-]{12}\.[\w-]{16}\.[\w-]+\.[\w-]{22}$/);
    expect(envelope).not.toContain('secret');
    expect(decryptJson(keyring, envelope, context)).toEqual({ token: 'EAAG-secret-token' });
  });

  it('uses a fresh IV each time', () => {
    const keyring = createKeyring(newKey());
    expect(encrypt(keyring, 'same', context)).not.toBe(encrypt(keyring, 'same', context));
  });

  it('rejects a tampered ciphertext', () => {
    const keyring = createKeyring(newKey());
    const parts = encrypt(keyring, 'value', context).split('.');
    const ciphertext = Buffer.from(parts[3] as string, 'base64url');
    ciphertext[0] = (ciphertext[0] as number) ^ 1;
    parts[3] = ciphertext.toString('base64url');
    expect(() => decrypt(keyring, parts.join('.'), context)).toThrow(/failed authentication/);
  });

  it('rejects a truncated tag, which GCM would otherwise check on its first bytes only', () => {
    const keyring = createKeyring(newKey());
    const parts = encrypt(keyring, 'value', context).split('.');
    const tag = Buffer.from(parts[4] as string, 'base64url');
    for (const length of [4, 8, 12, 15]) {
      parts[4] = tag.subarray(0, length).toString('base64url');
      // A 4-byte tag is one in 2^32 to forge: with Node's default it was accepted.
      expect(() => decrypt(keyring, parts.join('.'), context)).toThrow(/failed authentication/);
    }
  });

  it('rejects a value copied to another owner or purpose', () => {
    const keyring = createKeyring(newKey());
    const envelope = encrypt(keyring, 'value', context);
    expect(() => decrypt(keyring, envelope, { ...context, ownerId: 'num_2' })).toThrow(/failed authentication/);
    expect(() => decrypt(keyring, envelope, { ...context, purpose: 'write-back' })).toThrow(/failed authentication/);
  });

  it('reads values of an older key after rotation, and explains a missing key', () => {
    const old = newKey();
    const envelope = encrypt(createKeyring(old), 'value', context);
    expect(decrypt(createKeyring(newKey(), [old]), envelope, context).toString()).toBe('value');
    expect(() => decrypt(createKeyring(newKey()), envelope, context)).toThrow(/unknown key/);
  });

  it('generates the embedded master key into the data dir with mode 0600 and reuses it', async () => {
    const directory = await mkdtemp(path.join(tmpdir(), 'akked-key-'));
    const config = { AKKED_DATA_DIR: directory, AKKED_MASTER_KEY: undefined, AKKED_PREVIOUS_MASTER_KEYS: undefined, DATABASE_URL: undefined };
    const first = await loadKeyring(config);
    const second = await loadKeyring(config);
    expect(second.current.id).toBe(first.current.id);
    expect((await stat(path.join(directory, 'master.key'))).mode & 0o777).toBe(0o600);
    expect(Buffer.from((await readFile(path.join(directory, 'master.key'), 'utf8')).trim(), 'base64')).toHaveLength(32);
  });

  it('requires AKKED_MASTER_KEY when several processes share PostgreSQL', async () => {
    const directory = await mkdtemp(path.join(tmpdir(), 'akked-key-'));
    await expect(
      loadKeyring({ AKKED_DATA_DIR: directory, AKKED_MASTER_KEY: undefined, AKKED_PREVIOUS_MASTER_KEYS: undefined, DATABASE_URL: 'postgres://x@127.0.0.1/db' }),
    ).rejects.toThrow(/AKKED_MASTER_KEY is required/);
  });
});
