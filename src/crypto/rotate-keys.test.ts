import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, TEST_BACKENDS, type TestDatabase } from '../../test/harness/database.ts';
import { createKeyring, decrypt, encrypt, toMasterKey } from './envelope.ts';
import { rotateKeys, whatsappAuthKeyContext } from './rotate-keys.ts';

describe.each(TEST_BACKENDS)('key rotation on %s', (backend) => {
  let testDatabase: TestDatabase;

  beforeAll(async () => {
    testDatabase = await createTestDatabase(backend);
  });

  afterAll(async () => {
    await testDatabase?.close();
  });

  it('re-encrypts every credential and linked-device key under the new master key', async () => {
    const oldKey = toMasterKey(randomBytes(32).toString('base64'));
    const oldKeyring = createKeyring(oldKey);
    const { database } = testDatabase;
    await database.query("insert into accounts (id, name) values ('acc_rotate', 'Rotate')");
    await database.query("insert into whatsapp_numbers (id, account_id, provider, status) values ('num_rotate', 'acc_rotate', 'linked', 'connected')");
    const credentialContext = { ownerId: 'sto_1', purpose: 'write-back' };
    await database.query(
      "insert into credentials (id, account_id, owner_id, purpose, envelope, key_id) values ('crd_1', 'acc_rotate', 'sto_1', 'write-back', $1, $2)",
      [encrypt(oldKeyring, 'store-token', credentialContext), oldKey.id],
    );
    for (let index = 0; index < 3; index++) {
      await database.query("insert into whatsapp_auth_keys (number_id, type, key_id, envelope) values ('num_rotate', 'pre-key', $1, $2)", [
        String(index),
        encrypt(oldKeyring, `pre-key-${index}`, whatsappAuthKeyContext('num_rotate', 'pre-key', String(index))),
      ]);
    }
    const newKeyring = createKeyring(toMasterKey(randomBytes(32).toString('base64')), [oldKey]);
    const result = await rotateKeys(database, newKeyring, 2);
    expect(result).toEqual({ reEncrypted: { credentials: 1, whatsapp_auth_keys: 3 }, remainingOnOldKeys: 0 });

    const onlyNewKey = createKeyring(newKeyring.current);
    const [credential] = await database.query<{ envelope: string; key_id: string }>("select envelope, key_id from credentials where id = 'crd_1'");
    expect(credential?.key_id).toBe(newKeyring.current.id);
    expect(decrypt(onlyNewKey, credential?.envelope as string, credentialContext).toString()).toBe('store-token');
    const keys = await database.query<{ key_id: string; envelope: string }>("select key_id, envelope from whatsapp_auth_keys where number_id = 'num_rotate' order by key_id");
    expect(keys.map((row) => decrypt(onlyNewKey, row.envelope, whatsappAuthKeyContext('num_rotate', 'pre-key', row.key_id)).toString())).toEqual([
      'pre-key-0',
      'pre-key-1',
      'pre-key-2',
    ]);
    expect(await rotateKeys(database, newKeyring)).toEqual({ reEncrypted: { credentials: 0, whatsapp_auth_keys: 0 }, remainingOnOldKeys: 0 });
  });
});
