import { randomBytes } from 'node:crypto';
import { Curve, proto, signedKeyPair, type KeyPair, type SignalDataSet, type SignalDataTypeMap } from 'baileys';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createTestDatabase, TEST_BACKENDS, type TestDatabase } from '../../../test/harness/database.ts';
import { createKeyring, toMasterKey, type Keyring } from '../../crypto/envelope.ts';
import { rotateKeys } from '../../crypto/rotate-keys.ts';
import type { Database, Transaction } from '../../db/database.ts';
import { AppError } from '../../errors.ts';
import { sealAuthValue } from './auth-key-rows.ts';
import { createDatabaseAuthState, deleteAuthKeysForContacts, deleteAuthKeysForJid, deleteAuthState, SIGNAL_KEY_TYPES, type AuthStateFencing } from './auth-state-store.ts';

const ACCOUNT_ID = 'acc_auth_store';

/** Counts the transactions a store opens. */
const countTransactions = (database: Database): { database: Database; count: () => number } => {
  let count = 0;
  const counted: Database = {
    ...database,
    transaction: <T>(work: (transaction: Transaction) => Promise<T>): Promise<T> => {
      count++;

      return database.transaction(work);
    },
  };

  return { database: counted, count: () => count };
};

const bytes = (value: Uint8Array): Buffer => Buffer.from(value);

/** Fencing by the lease row, as the session manager does it: a stale token writes nothing. */
const leaseFencing = (numberId: string, fencingToken: number): AuthStateFencing => ({
  async check(transaction) {
    const rows = await transaction.query('select 1 from whatsapp_leases where number_id = $1 and fencing_token = $2 for update', [numberId, fencingToken]);
    if (rows.length === 0) throw new AppError('lease_lost', { message: 'another worker holds this number' });
  },
});

describe.each(TEST_BACKENDS)('linked-device auth state on %s', (backend) => {
  let testDatabase: TestDatabase;
  let database: Database;
  let keyring: Keyring;
  let numberCounter = 0;
  let numberId: string;

  beforeAll(async () => {
    testDatabase = await createTestDatabase(backend);
    database = testDatabase.database;
    keyring = createKeyring(toMasterKey(randomBytes(32).toString('base64')));
    await database.query("insert into accounts (id, name) values ($1, 'Auth store')", [ACCOUNT_ID]);
  });

  afterAll(async () => {
    await testDatabase?.close();
  });

  const createNumber = async (): Promise<string> => {
    const id = `num_auth_${++numberCounter}`;
    await database.query("insert into whatsapp_numbers (id, account_id, provider, status) values ($1, $2, 'linked', 'pending_link')", [id, ACCOUNT_ID]);

    return id;
  };

  beforeEach(async () => {
    numberId = await createNumber();
  });

  const envelopesOf = async (id: string): Promise<{ type: string; key_id: string; envelope: string }[]> =>
    database.query('select type, key_id, envelope from whatsapp_auth_keys where number_id = $1 order by type, key_id', [id]);

  /** Real baileys values of every signal key type. */
  const sampleKeys = (identity: KeyPair) => {
    const preKey = Curve.generateKeyPair();
    const signedPreKey = signedKeyPair(identity, 2);
    const session = Uint8Array.from(randomBytes(320));
    const appStateSyncKey = proto.Message.AppStateSyncKeyData.fromObject({
      keyData: randomBytes(32),
      fingerprint: { rawId: 7, currentIndex: 1, deviceIndexes: [0, 1, 4] },
      timestamp: 1_777_716_000,
    });
    const data = {
      'pre-key': { '1': preKey, '2': signedPreKey.keyPair },
      session: { '212612345678.0': session },
      'sender-key': { '120363025246125888@g.us::212612345678::0': Buffer.from(randomBytes(64)) },
      'sender-key-memory': { '120363025246125888@g.us': { '212612345678:3@s.whatsapp.net': true } },
      'app-state-sync-key': { AAAAAF3N: appStateSyncKey },
      'app-state-sync-version': { regular_high: { version: 12, hash: randomBytes(128), indexValueMap: { 'aW5kZXgx': { valueMac: randomBytes(32) } } } },
      'lid-mapping': { '212612345678': '98765432109876', '98765432109876_reverse': '212612345678' },
      'device-list': { '212612345678': ['0', '3'] },
      tctoken: { '98765432109876@lid': { token: randomBytes(24), timestamp: '1777716000' } },
      'identity-key': { '98765432109876_1.0': Curve.generateKeyPair().public },
    } satisfies { [T in keyof SignalDataTypeMap]: Record<string, SignalDataTypeMap[T]> };

    return { data, preKey, session, appStateSyncKey };
  };

  it('stores real baileys creds and every signal key type, and gives them back byte-identical', async () => {
    const first = await createDatabaseAuthState({ database, keyring, numberId });
    const { creds } = first.state;
    creds.me = { id: '212600000001:7@s.whatsapp.net', lid: '11122233344455:7@lid', name: 'Boutique' };
    creds.routingInfo = randomBytes(12);
    await first.saveCreds();
    const { data, preKey, session, appStateSyncKey } = sampleKeys(creds.signedIdentityKey);
    expect(Object.keys(data).sort()).toEqual([...SIGNAL_KEY_TYPES].sort());
    await first.state.keys.set(data);

    const second = await createDatabaseAuthState({ database, keyring, numberId });
    const loaded = second.state.creds;
    for (const field of ['noiseKey', 'pairingEphemeralKeyPair', 'signedIdentityKey'] as const) {
      expect(Buffer.isBuffer(loaded[field].private)).toBe(true);
      expect(bytes(loaded[field].private).equals(bytes(creds[field].private))).toBe(true);
      expect(bytes(loaded[field].public).equals(bytes(creds[field].public))).toBe(true);
    }
    expect(bytes(loaded.signedPreKey.signature).equals(bytes(creds.signedPreKey.signature))).toBe(true);
    expect(bytes(loaded.signedPreKey.keyPair.private).equals(bytes(creds.signedPreKey.keyPair.private))).toBe(true);
    expect(loaded.routingInfo?.equals(creds.routingInfo)).toBe(true);
    expect({ ...loaded, noiseKey: null, pairingEphemeralKeyPair: null, signedIdentityKey: null, signedPreKey: null, routingInfo: null }).toEqual({
      ...creds,
      noiseKey: null,
      pairingEphemeralKeyPair: null,
      signedIdentityKey: null,
      signedPreKey: null,
      routingInfo: null,
    });

    const keys = second.state.keys;
    const [loadedPreKey] = Object.values(await keys.get('pre-key', ['1', '99']));
    expect(Buffer.isBuffer(loadedPreKey?.private)).toBe(true);
    expect(bytes(loadedPreKey?.private ?? new Uint8Array()).equals(bytes(preKey.private))).toBe(true);
    expect(Object.keys(await keys.get('pre-key', ['1', '99']))).toEqual(['1']);
    const loadedSession = (await keys.get('session', ['212612345678.0']))['212612345678.0'];
    expect(Buffer.isBuffer(loadedSession)).toBe(true);
    expect(bytes(loadedSession ?? new Uint8Array()).equals(bytes(session))).toBe(true);
    const loadedAppStateKey = (await keys.get('app-state-sync-key', ['AAAAAF3N'])).AAAAAF3N;
    expect(loadedAppStateKey).toBeInstanceOf(proto.Message.AppStateSyncKeyData);
    expect(
      Buffer.from(proto.Message.AppStateSyncKeyData.encode(loadedAppStateKey ?? {}).finish()).equals(
        Buffer.from(proto.Message.AppStateSyncKeyData.encode(appStateSyncKey).finish()),
      ),
    ).toBe(true);
    expect(await keys.get('lid-mapping', ['212612345678', '98765432109876_reverse'])).toEqual(data['lid-mapping']);
    expect(await keys.get('device-list', ['212612345678'])).toEqual(data['device-list']);
    expect(await keys.get('sender-key-memory', ['120363025246125888@g.us'])).toEqual(data['sender-key-memory']);
    const version = (await keys.get('app-state-sync-version', ['regular_high'])).regular_high;
    expect(version?.version).toBe(12);
    expect(version?.hash.equals(data['app-state-sync-version'].regular_high.hash)).toBe(true);
    const token = (await keys.get('tctoken', ['98765432109876@lid']))['98765432109876@lid'];
    expect(token?.token.equals(data.tctoken['98765432109876@lid'].token)).toBe(true);
    expect(token?.timestamp).toBe('1777716000');
  });

  it('keeps no plaintext key material in the database', async () => {
    const state = await createDatabaseAuthState({ database, keyring, numberId });
    await state.saveCreds();
    const { data, preKey, session, appStateSyncKey } = sampleKeys(state.state.creds.signedIdentityKey);
    await state.state.keys.set(data);
    const { creds } = state.state;
    const secrets: Uint8Array[] = [
      creds.noiseKey.private,
      creds.pairingEphemeralKeyPair.private,
      creds.signedIdentityKey.private,
      creds.signedPreKey.keyPair.private,
      Buffer.from(creds.advSecretKey, 'base64'),
      preKey.private,
      session,
      appStateSyncKey.keyData ?? new Uint8Array(),
      data.tctoken['98765432109876@lid'].token,
      data['app-state-sync-version'].regular_high.hash,
    ];
    const rows = await envelopesOf(numberId);
    expect(rows).toHaveLength(1 + Object.values(data).reduce((sum, values) => sum + Object.keys(values).length, 0));
    const stored = rows.map((row) => row.envelope).join('\n');
    for (const secret of secrets) {
      const buffer = Buffer.from(secret);
      for (const encoding of [buffer.toString('base64'), buffer.toString('base64url'), buffer.toString('hex'), buffer.toString('hex').toUpperCase()]) {
        expect(stored).not.toContain(encoding.slice(0, 24));
      }
    }
    // Mapped ids and other plain strings are sealed too.
    expect(stored).not.toContain('98765432109876');
    for (const row of rows) expect(row.envelope).toMatch(/^v1\.[\w-]+\.[\w-]+\.[\w-]*\.[\w-]+$/);
  });

  it('rejects a tampered envelope and one moved to another key id', async () => {
    const state = await createDatabaseAuthState({ database, keyring, numberId });
    await state.state.keys.set({ 'pre-key': { '1': Curve.generateKeyPair(), '2': Curve.generateKeyPair() } });
    const [row] = await database.query<{ envelope: string }>("select envelope from whatsapp_auth_keys where number_id = $1 and key_id = '1'", [numberId]);
    const parts = (row?.envelope ?? '').split('.');
    const ciphertext = parts[3] ?? '';
    parts[3] = `${ciphertext.startsWith('A') ? 'B' : 'A'}${ciphertext.slice(1)}`;
    await database.query("update whatsapp_auth_keys set envelope = $2 where number_id = $1 and key_id = '1'", [numberId, parts.join('.')]);
    await expect(state.state.keys.get('pre-key', ['1'])).rejects.toMatchObject({ code: 'internal' });

    // A valid envelope copied under another key id fails too: each value is bound to its key.
    await database.query("update whatsapp_auth_keys set envelope = $2 where number_id = $1 and key_id = '1'", [numberId, row?.envelope]);
    await database.query("update whatsapp_auth_keys set envelope = $2 where number_id = $1 and key_id = '2'", [numberId, row?.envelope]);
    expect(Object.keys(await state.state.keys.get('pre-key', ['1']))).toEqual(['1']);
    await expect(state.state.keys.get('pre-key', ['2'])).rejects.toBeInstanceOf(AppError);
  });

  it('stays readable after `akked keys rotate` re-encrypts it under a new master key', async () => {
    const state = await createDatabaseAuthState({ database, keyring, numberId });
    await state.saveCreds();
    const preKey = Curve.generateKeyPair();
    await state.state.keys.set({ 'pre-key': { '7': preKey }, 'lid-mapping': { '212612345678': '98765432109876' } });
    // Rotation walks the whole table: drop what earlier tests tampered with on purpose.
    await database.query('delete from whatsapp_auth_keys where number_id <> $1', [numberId]);
    const rotated = createKeyring(toMasterKey(randomBytes(32).toString('base64')), [keyring.current]);
    const result = await rotateKeys(database, rotated);
    expect(result.remainingOnOldKeys).toBe(0);
    expect(result.reEncrypted.whatsapp_auth_keys).toBe(3);

    const onlyNewKey = createKeyring(rotated.current);
    const reloaded = await createDatabaseAuthState({ database, keyring: onlyNewKey, numberId });
    expect(bytes(reloaded.state.creds.noiseKey.private).equals(bytes(state.state.creds.noiseKey.private))).toBe(true);
    expect(bytes((await reloaded.state.keys.get('pre-key', ['7']))['7']?.private ?? new Uint8Array()).equals(bytes(preKey.private))).toBe(true);
    expect(await reloaded.state.keys.get('lid-mapping', ['212612345678'])).toEqual({ '212612345678': '98765432109876' });
  });

  it('writes all changes of one set in one transaction, null deleting', async () => {
    const counted = countTransactions(database);
    const state = await createDatabaseAuthState({ database: counted.database, keyring, numberId });
    await state.state.keys.set({ 'pre-key': { '1': Curve.generateKeyPair(), '2': Curve.generateKeyPair() }, session: { '212612345678.0': randomBytes(40) } });
    expect(counted.count()).toBe(1);
    await state.state.keys.set({ 'pre-key': { '1': null, '3': Curve.generateKeyPair() }, session: { '212612345678.0': null }, 'device-list': { '212612345678': ['0'] } });
    expect(counted.count()).toBe(2);
    const rows = await envelopesOf(numberId);
    expect(rows.map((row) => `${row.type}/${row.key_id}`)).toEqual(['device-list/212612345678', 'pre-key/2', 'pre-key/3']);
    await state.state.keys.set({});
    expect(counted.count()).toBe(2);
  });

  it('coalesces a burst of creds saves and keeps the latest creds', async () => {
    const counted = countTransactions(database);
    const state = await createDatabaseAuthState({ database: counted.database, keyring, numberId });
    const saves: Promise<void>[] = [];
    for (let index = 1; index <= 6; index++) {
      state.state.creds.nextPreKeyId = index;
      saves.push(state.saveCreds());
    }
    await Promise.all(saves);
    expect(counted.count()).toBeLessThanOrEqual(2);
    expect((await createDatabaseAuthState({ database, keyring, numberId })).state.creds.nextPreKeyId).toBe(6);
  });

  it('writes nothing for a stale lease holder', async () => {
    await database.query("insert into whatsapp_leases (number_id, owner_id, fencing_token, expires_at) values ($1, 'wrk_a', 1, now() + interval '1 minute')", [
      numberId,
    ]);
    const holder = await createDatabaseAuthState({ database, keyring, numberId, fencing: leaseFencing(numberId, 1) });
    await holder.state.keys.set({ 'pre-key': { '1': Curve.generateKeyPair() } });
    await holder.saveCreds();
    const before = await envelopesOf(numberId);
    expect(before).toHaveLength(2);

    // Another worker takes the number over: the token grows.
    await database.query("update whatsapp_leases set owner_id = 'wrk_b', fencing_token = 2 where number_id = $1", [numberId]);
    await expect(holder.state.keys.set({ 'pre-key': { '1': null, '2': Curve.generateKeyPair() } })).rejects.toMatchObject({ code: 'lease_lost' });
    holder.state.creds.nextPreKeyId = 99;
    await expect(holder.saveCreds()).rejects.toMatchObject({ code: 'lease_lost' });
    await expect(holder.clear()).rejects.toMatchObject({ code: 'lease_lost' });
    expect(await envelopesOf(numberId)).toEqual(before);
  });

  it('rolls the whole transaction back when the fencing check fails after touching the database', async () => {
    const fencing: AuthStateFencing = {
      async check(transaction) {
        await transaction.query("update whatsapp_numbers set status_reason = 'touched by a stale holder' where id = $1", [numberId]);
        throw new AppError('lease_lost', { message: 'stale' });
      },
    };
    const state = await createDatabaseAuthState({ database, keyring, numberId, fencing });
    await expect(state.state.keys.set({ 'pre-key': { '1': Curve.generateKeyPair() } })).rejects.toMatchObject({ code: 'lease_lost' });
    expect(await envelopesOf(numberId)).toEqual([]);
    const [number] = await database.query<{ status_reason: string | null }>('select status_reason from whatsapp_numbers where id = $1', [numberId]);
    expect(number?.status_reason).toBeNull();
  });

  it('deletes a number’s whole auth state and nothing of another number', async () => {
    const otherNumberId = await createNumber();
    for (const id of [numberId, otherNumberId]) {
      const state = await createDatabaseAuthState({ database, keyring, numberId: id });
      await state.saveCreds();
      await state.state.keys.set(sampleKeys(state.state.creds.signedIdentityKey).data);
    }
    const otherBefore = await envelopesOf(otherNumberId);
    const noiseKeyBefore = (await createDatabaseAuthState({ database, keyring, numberId })).state.creds.noiseKey.public;

    expect(await deleteAuthState(database, numberId)).toBe(otherBefore.length);
    expect(await envelopesOf(numberId)).toEqual([]);
    expect(await envelopesOf(otherNumberId)).toEqual(otherBefore);
    // Nothing left to restore: the next connect starts a new registration.
    const fresh = await createDatabaseAuthState({ database, keyring, numberId });
    expect(bytes(fresh.state.creds.noiseKey.public).equals(bytes(noiseKeyBefore))).toBe(false);
  });

  describe('erasing one customer', () => {
    const GROUP = '120363025246125888@g.us';
    const customer = { phone: '212612345678', lid: '98765432109876' };
    const other = { phone: '212698765432', lid: '11122233344455' };
    // Same leading digits as the customer's phone: must survive.
    const lookalike = { phone: '2126123456789', lid: '987654321098761' };

    const contactKeys = (contact: { phone: string; lid: string }): SignalDataSet => ({
      session: { [`${contact.phone}.0`]: randomBytes(20), [`${contact.phone}.3`]: randomBytes(20), [`${contact.lid}_1.0`]: randomBytes(20), [`${contact.lid}_1.2`]: randomBytes(20) },
      'identity-key': { [`${contact.phone}.0`]: randomBytes(33), [`${contact.lid}_1.0`]: randomBytes(33) },
      'device-list': { [contact.phone]: ['0', '3'], [contact.lid]: ['0', '2'] },
      'lid-mapping': { [contact.phone]: contact.lid, [`${contact.lid}_reverse`]: contact.phone },
      tctoken: { [`${contact.lid}@lid`]: { token: randomBytes(16), timestamp: '1777716000' } },
      'sender-key': { [`${GROUP}::${contact.lid}_1::0`]: randomBytes(30) },
    });

    const seed = async (): Promise<void> => {
      const state = await createDatabaseAuthState({ database, keyring, numberId });
      await state.saveCreds();
      await state.state.keys.set({ 'pre-key': { '1': Curve.generateKeyPair() }, 'app-state-sync-key': { AAAAAF3N: { keyData: randomBytes(32) } } });
      for (const contact of [customer, other, lookalike]) await state.state.keys.set(contactKeys(contact));
      const everyone = [customer, other, lookalike];
      await state.state.keys.set({
        tctoken: { __index: { token: Buffer.from(JSON.stringify(everyone.map((contact) => `${contact.lid}@lid`))) } },
        'sender-key-memory': {
          [GROUP]: Object.fromEntries(everyone.flatMap((contact) => [[`${contact.lid}:2@lid`, true], [`${contact.phone}:3@s.whatsapp.net`, true]])),
        },
      });
    };

    const keyIdsOf = async (): Promise<string[]> => (await envelopesOf(numberId)).map((row) => `${row.type}/${row.key_id}`);

    const expectOnlyCustomerGone = async (): Promise<void> => {
      const remaining = await keyIdsOf();
      for (const id of remaining) {
        expect(id).not.toMatch(new RegExp(`(^|/)(${customer.phone}|${customer.lid})([._@:]|_reverse|_1\\.|$)`));
      }
      // Everyone else keeps every entry.
      for (const contact of [other, lookalike]) {
        for (const [type, values] of Object.entries(contactKeys(contact))) {
          for (const keyId of Object.keys(values ?? {})) expect(remaining).toContain(`${type}/${keyId}`);
        }
      }
      expect(remaining).toEqual(expect.arrayContaining(['creds/', 'pre-key/1', 'app-state-sync-key/AAAAAF3N', 'tctoken/__index', `sender-key-memory/${GROUP}`]));
      const state = await createDatabaseAuthState({ database, keyring, numberId });
      const index = (await state.state.keys.get('tctoken', ['__index'])).__index;
      expect(JSON.parse(Buffer.from(index?.token ?? []).toString())).toEqual([`${other.lid}@lid`, `${lookalike.lid}@lid`]);
      const memory = (await state.state.keys.get('sender-key-memory', [GROUP]))[GROUP];
      expect(Object.keys(memory ?? {}).sort()).toEqual(
        [`${other.lid}:2@lid`, `${other.phone}:3@s.whatsapp.net`, `${lookalike.lid}:2@lid`, `${lookalike.phone}:3@s.whatsapp.net`].sort(),
      );
    };

    it('removes the sessions, identities, device lists, mappings and tokens of a customer given by phone', async () => {
      await seed();
      const before = await keyIdsOf();
      const count = await deleteAuthKeysForJid(database, numberId, `+${customer.phone}`, keyring);
      // 4 sessions, 2 identities, 2 device lists, 2 mappings, 1 token, 1 sender key deleted; 2 rows rewritten.
      expect(count).toBe(14);
      expect(await keyIdsOf()).toHaveLength(before.length - 12);
      await expectOnlyCustomerGone();
    });

    it('finds the phone side of a customer given by LID, inside the caller’s transaction', async () => {
      await seed();
      const count = await database.transaction((transaction) => deleteAuthKeysForJid(transaction, numberId, `${customer.lid}:2@lid`, keyring));
      expect(count).toBe(14);
      await expectOnlyCustomerGone();
    });

    it('erases several customers in one pass, one by phone and one by LID, and leaves the rest', async () => {
      await seed();
      const before = await keyIdsOf();
      const count = await deleteAuthKeysForContacts(database, numberId, [`+${customer.phone}`, `${other.lid}@lid`], keyring);
      // 12 rows deleted per customer; the token index and the sender-key memory rewritten once.
      expect(count).toBe(26);
      const remaining = await keyIdsOf();
      expect(remaining).toHaveLength(before.length - 24);
      for (const contact of [customer, other]) {
        for (const id of remaining) expect(id).not.toMatch(new RegExp(`(^|/)(${contact.phone}|${contact.lid})([._@:]|_reverse|_1\\.|$)`));
      }
      for (const [type, values] of Object.entries(contactKeys(lookalike))) {
        for (const keyId of Object.keys(values ?? {})) expect(remaining).toContain(`${type}/${keyId}`);
      }
      const state = await createDatabaseAuthState({ database, keyring, numberId });
      const index = (await state.state.keys.get('tctoken', ['__index'])).__index;
      expect(JSON.parse(Buffer.from(index?.token ?? []).toString())).toEqual([`${lookalike.lid}@lid`]);
    });

    it('changes nothing for a customer the device never talked to', async () => {
      await seed();
      const before = await envelopesOf(numberId);
      expect(await deleteAuthKeysForJid(database, numberId, '+212600000009', keyring)).toBe(0);
      expect(await envelopesOf(numberId)).toEqual(before);
    });

    it('refuses ids that are not a person', async () => {
      await expect(deleteAuthKeysForJid(database, numberId, GROUP, keyring)).rejects.toMatchObject({ code: 'bad_request' });
      await expect(deleteAuthKeysForJid(database, numberId, 'not a phone', keyring)).rejects.toMatchObject({ code: 'bad_request' });
    });

    it('reads the stored mappings with the keyring (an envelope from elsewhere is rejected)', async () => {
      await database.query("insert into whatsapp_auth_keys (number_id, type, key_id, envelope) values ($1, 'lid-mapping', $2, $3)", [
        numberId,
        customer.phone,
        sealAuthValue(keyring, 'num_elsewhere', 'lid-mapping', customer.phone, customer.lid),
      ]);
      await expect(deleteAuthKeysForJid(database, numberId, `+${customer.phone}`, keyring)).rejects.toBeInstanceOf(AppError);
    });
  });
});
