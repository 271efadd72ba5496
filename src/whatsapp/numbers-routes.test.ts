import { createHmac } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TEST_BACKENDS } from '../../test/harness/database.ts';
import { waitUntil } from '../../test/harness/flow.ts';
import { appOf, browserHeaders, createMerchant, type Merchant } from '../../test/harness/http.ts';
import { startTestRuntime, type TestRuntime } from '../../test/harness/runtime.ts';
import { buildPacingPolicy } from '../confirmation/pacing.ts';
import { encrypt } from '../crypto/envelope.ts';
import { newId } from '../ids.ts';
import { createLogger } from '../logger.ts';
import type { NumberStatus } from './number-status.ts';
import type { ProviderKind, WhatsAppProvider } from './provider.ts';
import { SessionManager } from './session-manager.ts';
import { startSimulator, type RunningSimulator } from './simulator/simulator-server.ts';

const CLOUD_SETTINGS = {
  phoneNumberId: '106540352242922',
  accessToken: 'EAAG-secret-access-token-for-tests',
  appSecret: 'cloud-app-secret-for-tests',
  verifyToken: 'cloud-verify-token-for-tests',
};

/** Cloud API secrets that must never come back in an answer. */
const CLOUD_SECRETS = [CLOUD_SETTINGS.accessToken, CLOUD_SETTINGS.appSecret, CLOUD_SETTINGS.verifyToken];

type NumberView = {
  id: string;
  provider: string;
  phone: string | null;
  status: string;
  statusReason: string | null;
  qr: string | null;
  qrDataUrl: string | null;
  pairingCode: string | null;
  webhookUrl: string | null;
  linkedAt: string | null;
  history: { status: string; reason: string | null; at: string }[];
};

const bearer = (merchant: Merchant) => ({ authorization: `Bearer ${merchant.apiKey}` });

const expectErrorBody = (response: { statusCode: number; body: string }, status: number, code?: string): void => {
  expect(response.statusCode, response.body).toBe(status);
  const body = JSON.parse(response.body) as { error: { code: string; message: string } };
  expect(typeof body.error.message).toBe('string');
  if (code) expect(body.error.code).toBe(code);
};

/**
 * `/api/v1/whatsapp-numbers` on a runtime with the worker role (simulator numbers link by
 * themselves through an in-process simulator). Linked numbers are only created on the api-only
 * runtime below: a worker would dial WhatsApp's servers for them.
 */
describe.each(TEST_BACKENDS)('WhatsApp number routes on %s', (backend) => {
  let simulator: RunningSimulator;
  let testRuntime: TestRuntime;
  let merchant: Merchant;
  let otherMerchant: Merchant;

  beforeAll(async () => {
    simulator = await startSimulator({ deliveredAfterMs: 30, readAfterMs: 60 });
    testRuntime = await startTestRuntime(backend, {
      // The Cloud API base points at a closed loopback port: nothing here may reach Meta.
      environment: { AKKED_WHATSAPP_SIMULATOR_URL: simulator.url, AKKED_CLOUD_API_BASE_URL: 'http://127.0.0.1:9/v23.0' },
    });
    merchant = await createMerchant(testRuntime);
    otherMerchant = await createMerchant(testRuntime);
  }, 90_000);

  afterAll(async () => {
    await testRuntime?.stop();
    await simulator?.close();
  });

  const database = () => testRuntime.testDatabase.database;

  const createNumber = async (owner: Merchant, payload: Record<string, unknown>) =>
    appOf(testRuntime).inject({ method: 'POST', url: '/api/v1/whatsapp-numbers', headers: bearer(owner), payload });

  const getNumber = (owner: Merchant, id: string) => appOf(testRuntime).inject({ method: 'GET', url: `/api/v1/whatsapp-numbers/${id}`, headers: bearer(owner) });

  const rowsFor = async (numberId: string) => ({
    authKeys: await database().query('select 1 from whatsapp_auth_keys where number_id = $1', [numberId]),
    credentials: await database().query('select 1 from credentials where owner_id = $1', [numberId]),
    leases: await database().query('select 1 from whatsapp_leases where number_id = $1', [numberId]),
    numbers: await database().query('select 1 from whatsapp_numbers where id = $1', [numberId]),
  });

  it('links a simulator number within seconds and keeps its status history', async () => {
    const created = await createNumber(merchant, { provider: 'simulator' });
    expect(created.statusCode, created.body).toBe(201);
    const number = created.json<NumberView>();
    expect(number).toMatchObject({ provider: 'simulator', status: 'pending_link', webhookUrl: null });
    expect(number.phone).toMatch(/^\+1555010\d{4}$/);

    const connected = await waitUntil(
      async () => (await getNumber(merchant, number.id)).json<NumberView>(),
      (view) => view.status === 'connected',
      15_000,
      'the simulator number to link',
    );
    const statuses = connected.history.map((event) => event.status);
    expect(statuses).toContain('pending_link');
    expect(statuses).toContain('connected');
    // Newest first.
    expect(statuses.indexOf('connected')).toBeLessThan(statuses.lastIndexOf('pending_link'));
  });

  it("lists the account's numbers and only those", async () => {
    const mine = (await createNumber(merchant, { provider: 'simulator' })).json<NumberView>();
    const theirs = (await createNumber(otherMerchant, { provider: 'simulator' })).json<NumberView>();

    const listed = await appOf(testRuntime).inject({ method: 'GET', url: '/api/v1/whatsapp-numbers', headers: bearer(merchant) });

    expect(listed.statusCode, listed.body).toBe(200);
    const ids = listed.json<{ data: NumberView[] }>().data.map((number) => number.id);
    expect(ids).toContain(mine.id);
    expect(ids).not.toContain(theirs.id);
    const [accountCount] = await database().query<{ count: string }>('select count(*) as count from whatsapp_numbers where account_id = $1', [merchant.accountId]);
    expect(ids).toHaveLength(Number(accountCount?.count));
  });

  it('needs Cloud API settings for a cloud number and never answers its secrets', async () => {
    const withoutSettings = await createNumber(merchant, { provider: 'cloud', phone: '+966500000010' });
    expectErrorBody(withoutSettings, 400, 'bad_request');
    const withoutPhone = await createNumber(merchant, { provider: 'cloud', cloud: CLOUD_SETTINGS });
    expectErrorBody(withoutPhone, 400, 'bad_request');

    const created = await createNumber(merchant, { provider: 'cloud', phone: '+966500000010', cloud: CLOUD_SETTINGS });

    expect(created.statusCode, created.body).toBe(201);
    const number = created.json<NumberView>();
    expect(number).toMatchObject({ provider: 'cloud', phone: '+966500000010', status: 'connected' });
    expect(number.webhookUrl).toBe(`${testRuntime.config.publicUrl}/hooks/whatsapp-cloud/${number.id}`);
    const fetched = await getNumber(merchant, number.id);
    const listed = await appOf(testRuntime).inject({ method: 'GET', url: '/api/v1/whatsapp-numbers', headers: bearer(merchant) });
    for (const answer of [created.body, fetched.body, listed.body]) {
      for (const secret of CLOUD_SECRETS) expect(answer).not.toContain(secret);
    }
    // Stored, encrypted.
    const [credential] = await database().query<{ envelope: string }>("select envelope from credentials where owner_id = $1 and purpose = 'cloud-api'", [number.id]);
    expect(credential?.envelope).toBeDefined();
    for (const secret of CLOUD_SECRETS) expect(credential?.envelope).not.toContain(secret);
  });

  it('refuses a pairing code for a simulator number', async () => {
    const number = (await createNumber(merchant, { provider: 'simulator' })).json<NumberView>();

    const response = await appOf(testRuntime).inject({
      method: 'POST',
      url: `/api/v1/whatsapp-numbers/${number.id}/pairing-code`,
      headers: bearer(merchant),
      payload: { phone: '+966500000011' },
    });

    expectErrorBody(response, 400, 'bad_request');
  });

  it('deletes a number with its keys, credentials and lease at once', async () => {
    const simulated = (await createNumber(merchant, { provider: 'simulator' })).json<NumberView>();
    await waitUntil(() => rowsFor(simulated.id), (rows) => rows.leases.length === 1, 15_000, 'the worker to take the lease');
    // A linked device's signal keys live in whatsapp_auth_keys; one stands in for them here.
    await database().query("insert into whatsapp_auth_keys (number_id, type, key_id, envelope) values ($1, 'session', 'customer.0', 'encrypted')", [simulated.id]);
    const cloud = (await createNumber(merchant, { provider: 'cloud', phone: '+966500000012', cloud: CLOUD_SETTINGS })).json<NumberView>();
    expect((await rowsFor(cloud.id)).credentials).toHaveLength(1);

    for (const number of [simulated, cloud]) {
      const deleted = await appOf(testRuntime).inject({ method: 'DELETE', url: `/api/v1/whatsapp-numbers/${number.id}`, headers: bearer(merchant) });
      expect(deleted.statusCode, deleted.body).toBe(204);
      expect(await rowsFor(number.id)).toEqual({ authKeys: [], credentials: [], leases: [], numbers: [] });
      expectErrorBody(await getNumber(merchant, number.id), 404, 'not_found');
    }
    // The session is closed: the worker does not take the lease again.
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    expect((await rowsFor(simulated.id)).leases).toEqual([]);
  });

  it("answers 404 for another account's number, exactly as for an unknown one, and changes nothing", async () => {
    const theirs = (await createNumber(otherMerchant, { provider: 'simulator' })).json<NumberView>();
    const app = appOf(testRuntime);

    for (const id of [theirs.id, 'num_doesnotexist']) {
      expectErrorBody(await getNumber(merchant, id), 404, 'not_found');
      expectErrorBody(await app.inject({ method: 'DELETE', url: `/api/v1/whatsapp-numbers/${id}`, headers: bearer(merchant) }), 404, 'not_found');
      expectErrorBody(
        await app.inject({ method: 'POST', url: `/api/v1/whatsapp-numbers/${id}/pairing-code`, headers: bearer(merchant), payload: { phone: '+966500000013' } }),
        404,
        'not_found',
      );
    }
    expect((await rowsFor(theirs.id)).numbers).toHaveLength(1);
    expect((await getNumber(otherMerchant, theirs.id)).statusCode).toBe(200);
  });
});

/**
 * An api-only runtime without AKKED_WHATSAPP_SIMULATOR_URL: no worker, so nothing dials out for
 * a linked number; and the Cloud API webhook route.
 */
describe.each(TEST_BACKENDS)('WhatsApp numbers without a simulator, and Cloud API webhooks, on %s', (backend) => {
  let testRuntime: TestRuntime;
  let merchant: Merchant;

  beforeAll(async () => {
    testRuntime = await startTestRuntime(backend, { roles: { api: true, worker: false }, environment: { AKKED_CLOUD_API_BASE_URL: 'http://127.0.0.1:9/v23.0' } });
    merchant = await createMerchant(testRuntime);
  }, 90_000);

  afterAll(async () => {
    await testRuntime?.stop();
  });

  const database = () => testRuntime.testDatabase.database;

  const createNumber = (payload: Record<string, unknown>) =>
    appOf(testRuntime).inject({ method: 'POST', url: '/api/v1/whatsapp-numbers', headers: bearer(merchant), payload });

  const getNumberView = async (id: string): Promise<NumberView> => {
    const response = await appOf(testRuntime).inject({ method: 'GET', url: `/api/v1/whatsapp-numbers/${id}`, headers: bearer(merchant) });
    expect(response.statusCode, response.body).toBe(200);

    return response.json<NumberView>();
  };

  it('refuses the simulator provider when no simulator is configured', async () => {
    expectErrorBody(await createNumber({ provider: 'simulator' }), 400, 'bad_request');
    const [count] = await database().query<{ count: string }>("select count(*) as count from whatsapp_numbers where provider = 'simulator'");
    expect(Number(count?.count)).toBe(0);
  });

  it('creates a linked number waiting to be linked', async () => {
    const created = await createNumber({ provider: 'linked' });

    expect(created.statusCode, created.body).toBe(201);
    const number = created.json<NumberView>();
    expect(number).toMatchObject({ provider: 'linked', phone: null, status: 'pending_link', webhookUrl: null, pairingCode: null });
    expect(number.qr === null || typeof number.qr === 'string').toBe(true);
    expect(number.history.map((event) => event.status)).toEqual(['pending_link']);
    const fetched = await appOf(testRuntime).inject({ method: 'GET', url: `/api/v1/whatsapp-numbers/${number.id}`, headers: bearer(merchant) });
    expect(fetched.statusCode, fetched.body).toBe(200);
    expect(fetched.json<NumberView>()).toMatchObject({ id: number.id, provider: 'linked', status: 'pending_link' });
  });

  describe('relink', () => {
    let otherMerchant: Merchant;
    let sessions: SessionManager;
    /** The numbers the session manager opened, in order: a linked-device stand-in that never dials WhatsApp. */
    const opened: string[] = [];

    const fakeLinkedProvider: WhatsAppProvider = {
      kind: 'linked',
      holdsConnection: true,
      connect: async ({ numberId, events }) => {
        opened.push(numberId);
        setTimeout(() => events.onQr(`2@new-qr-for-${numberId}`), 10);

        return {
          send: async () => {
            throw new Error('the fake linked device sends nothing');
          },
          checkOnWhatsApp: async () => null,
          close: async () => undefined,
          logout: async () => undefined,
        };
      },
    };

    beforeAll(async () => {
      otherMerchant = await createMerchant(testRuntime);
      // A worker of its own on the same database, so the test sees the number being opened to link.
      sessions = new SessionManager({
        database: database(),
        keyring: appOf(testRuntime).services.keyring,
        logger: createLogger({ level: 'silent' }),
        providers: new Map<ProviderKind, WhatsAppProvider>([['linked', fakeLinkedProvider]]),
        hooks: { onInbound: async () => undefined, onSendFailed: async () => undefined, onNumberAlert: async () => undefined },
        pacing: buildPacingPolicy({ minimumSeconds: 0, maximumSeconds: 0 }),
        tickMilliseconds: 200,
      });
      await sessions.start();
    });

    afterAll(async () => {
      await sessions?.stop();
    });

    /**
     * A number as the session manager leaves it after trouble: keys still stored, an old QR and
     * pairing code, a lease of another worker, its status in the history, and a store using it.
     */
    const insertNumber = async (owner: Merchant, options: { status: NumberStatus; provider?: ProviderKind }) => {
      const id = newId('whatsappNumber');
      const keyring = appOf(testRuntime).services.keyring;
      await database().query(
        `insert into whatsapp_numbers (id, account_id, provider, phone, status, status_reason, qr_envelope, pairing_code_envelope, wake_at, linked_at)
         values ($1, $2, $3, '+966500000030', $4, 'trouble', $5, $6, null, now() - interval '30 days')`,
        [
          id,
          owner.accountId,
          options.provider ?? 'linked',
          options.status,
          encrypt(keyring, '2@old-qr', { ownerId: id, purpose: 'link-qr' }),
          encrypt(keyring, 'OLDCODE1', { ownerId: id, purpose: 'link-pairing' }),
        ],
      );
      await database().query("insert into whatsapp_number_events (id, number_id, status, reason, at) values ($1, $2, 'connected', null, now() - interval '1 day')", [
        newId('event'),
        id,
      ]);
      await database().query("insert into whatsapp_number_events (id, number_id, status, reason, at) values ($1, $2, $3, 'trouble', now() - interval '1 hour')", [
        newId('event'),
        id,
        options.status,
      ]);
      await database().query(
        "insert into whatsapp_auth_keys (number_id, type, key_id, envelope) values ($1, 'creds', 'creds', 'encrypted'), ($1, 'session', 'customer.0', 'encrypted')",
        [id],
      );
      await database().query("insert into whatsapp_leases (number_id, owner_id, fencing_token, expires_at) values ($1, 'wrk_elsewhere', 7, now() + interval '1 hour')", [id]);
      const storeId = newId('store');
      await database().query("insert into stores (id, account_id, platform, name, whatsapp_number_id) values ($1, $2, 'generic', 'Relink store', $3)", [
        storeId,
        owner.accountId,
        id,
      ]);

      return { id, storeId };
    };

    const relink = (id: string, headers: Record<string, string> = bearer(merchant)) =>
      appOf(testRuntime).inject({ method: 'POST', url: `/api/v1/whatsapp-numbers/${id}/relink`, headers });

    const numberRow = async (id: string) =>
      (
        await database().query<{ status: string; wake_at: Date | null; is_due: boolean | null; auth_keys: number; lease_owner: string | null }>(
          `select n.status, n.wake_at, n.wake_at <= now() as is_due,
             (select count(*)::int from whatsapp_auth_keys k where k.number_id = n.id) as auth_keys,
             (select owner_id from whatsapp_leases l where l.number_id = n.id) as lease_owner
           from whatsapp_numbers n where n.id = $1`,
          [id],
        )
      )[0];

    it.each(['logged_out', 'banned', 'disconnected'] as const)(
      'links a %s number again: old keys, lease and codes go, the history says so, its store keeps it and the session manager opens it to link',
      async (status) => {
        const { id, storeId } = await insertNumber(merchant, { status });
        const before = await getNumberView(id);
        expect(before).toMatchObject({ status, pairingCode: 'OLDCODE1', qr: '2@old-qr' });

        const response = await relink(id);

        expect(response.statusCode, response.body).toBe(200);
        const number = response.json<NumberView>();
        expect(number).toMatchObject({ id, provider: 'linked', status: 'pending_link', statusReason: 'relink_requested', qr: null, qrDataUrl: null, pairingCode: null });
        // Back from a ban, the number warms up again once linked; otherwise it keeps its pace.
        expect(number.linkedAt === null).toBe(status === 'banned');
        expect(number.history.slice(0, 2).map((event) => [event.status, event.reason])).toEqual([
          ['pending_link', 'relink_requested'],
          [status, 'trouble'],
        ]);
        const row = await numberRow(id);
        expect(row).toMatchObject({ auth_keys: 0, is_due: true });
        expect(row?.lease_owner).not.toBe('wrk_elsewhere');
        const [store] = await database().query<{ whatsapp_number_id: string | null }>('select whatsapp_number_id from stores where id = $1', [storeId]);
        expect(store?.whatsapp_number_id).toBe(id);

        const linking = await waitUntil(() => getNumberView(id), (view) => view.qr !== null, 15_000, 'the session manager to open the number and show a QR');
        expect(opened).toContain(id);
        expect(linking).toMatchObject({ status: 'pending_link', qr: `2@new-qr-for-${id}` });
        expect(linking.qrDataUrl).toMatch(/^data:image\/png;base64,/);
      },
    );

    it('takes a cookie session with the CSRF token, and refuses one without it', async () => {
      const { id } = await insertNumber(merchant, { status: 'logged_out' });

      expectErrorBody(await relink(id, { cookie: merchant.cookie, origin: testRuntime.config.publicUrl }), 403, 'csrf_token_invalid');
      expect((await numberRow(id))?.status).toBe('logged_out');
      const response = await relink(id, browserHeaders(testRuntime, merchant));

      expect(response.statusCode, response.body).toBe(200);
      expect(response.json<NumberView>().status).toBe('pending_link');
    });

    it.each(['connected', 'hibernated', 'pending_link'] as const)('refuses to link a %s number again and changes nothing', async (status) => {
      const { id } = await insertNumber(merchant, { status });

      const response = await relink(id);

      expectErrorBody(response, 409, 'invalid_state');
      expect(response.json<{ error: { message: string } }>().error.message).toMatch(status === 'pending_link' ? /already waiting to be linked/ : /linked and works/);
      expect(await numberRow(id)).toMatchObject({ status, auth_keys: 2, lease_owner: 'wrk_elsewhere', wake_at: null });
    });

    it('refuses to link a Cloud API or simulator number again, whatever its status', async () => {
      const cloud = (await createNumber({ provider: 'cloud', phone: '+966500000031', cloud: CLOUD_SETTINGS })).json<NumberView>();
      const simulated = await insertNumber(merchant, { status: 'logged_out', provider: 'simulator' });
      const disconnectedCloud = await insertNumber(merchant, { status: 'disconnected', provider: 'cloud' });

      for (const id of [cloud.id, simulated.id, disconnectedCloud.id]) {
        const response = await relink(id);
        expectErrorBody(response, 409, 'invalid_state');
        expect(response.json<{ error: { message: string } }>().error.message).toMatch(/only linked-device numbers/);
      }
      expect((await numberRow(cloud.id))?.status).toBe('connected');
      expect(await numberRow(simulated.id)).toMatchObject({ status: 'logged_out', auth_keys: 2 });
      expect((await database().query("select 1 from credentials where owner_id = $1 and purpose = 'cloud-api'", [cloud.id])).length).toBe(1);
    });

    it("answers 404 for another account's number, exactly as for an unknown one, and changes nothing", async () => {
      const theirs = await insertNumber(otherMerchant, { status: 'logged_out' });

      for (const id of [theirs.id, 'num_doesnotexist']) expectErrorBody(await relink(id), 404, 'not_found');

      expect(await numberRow(theirs.id)).toMatchObject({ status: 'logged_out', auth_keys: 2, lease_owner: 'wrk_elsewhere', wake_at: null });
      const [history] = await database().query<{ count: string }>('select count(*) as count from whatsapp_number_events where number_id = $1', [theirs.id]);
      expect(Number(history?.count)).toBe(2);
    });
  });

  describe('Cloud API webhook', () => {
    let numberId: string;

    beforeAll(async () => {
      const created = await createNumber({ provider: 'cloud', phone: '+966500000020', cloud: CLOUD_SETTINGS });
      expect(created.statusCode, created.body).toBe(201);
      numberId = created.json<NumberView>().id;
    });

    const verify = (token: string, id = numberId) =>
      appOf(testRuntime).inject({
        method: 'GET',
        url: `/hooks/whatsapp-cloud/${id}?hub.mode=subscribe&hub.verify_token=${encodeURIComponent(token)}&hub.challenge=1158201444`,
      });

    const insertSentMessage = async (providerMessageId: string): Promise<string> => {
      const id = newId('message');
      await database().query(
        `insert into messages (id, account_id, number_id, direction, kind, text, status, provider_message_id, customer_phone, sent_at)
         values ($1, $2, $3, 'outbound', 'confirmation', 'Confirm your order?', 'sent', $4, '+966551239001', now())`,
        [id, merchant.accountId, numberId, providerMessageId],
      );

      return id;
    };

    const statusesBody = (providerMessageId: string, status: string) =>
      JSON.stringify({
        object: 'whatsapp_business_account',
        entry: [
          {
            id: '102290129340398',
            changes: [
              {
                field: 'messages',
                value: {
                  messaging_product: 'whatsapp',
                  metadata: { display_phone_number: '966500000020', phone_number_id: CLOUD_SETTINGS.phoneNumberId },
                  statuses: [{ id: providerMessageId, status, timestamp: String(Math.floor(Date.now() / 1000)), recipient_id: '966551239001' }],
                },
              },
            ],
          },
        ],
      });

    const deliver = (body: string, signature: string) =>
      appOf(testRuntime).inject({
        method: 'POST',
        url: `/hooks/whatsapp-cloud/${numberId}`,
        headers: { 'content-type': 'application/json', 'x-hub-signature-256': signature },
        payload: body,
      });

    const messageStatus = async (messageId: string) =>
      (await database().query<{ status: string; read_at: Date | null }>('select status, read_at from messages where id = $1', [messageId]))[0];

    it("answers Meta's verification challenge with the verify token, and 403 with a wrong one", async () => {
      const answered = await verify(CLOUD_SETTINGS.verifyToken);
      expect(answered.statusCode, answered.body).toBe(200);
      expect(answered.body).toBe('1158201444');
      expectErrorBody(await verify('not-the-token'), 403, 'forbidden');
      expectErrorBody(await verify(CLOUD_SETTINGS.verifyToken, 'num_doesnotexist'), 404, 'not_found');
    });

    it('answers 400 with the JSON error, and logs no error, when hub.verify_token is given twice', async () => {
      const errorsBefore = testRuntime.logLines.filter((line) => Number(line.level) >= 50).length;
      const token = encodeURIComponent(CLOUD_SETTINGS.verifyToken);
      const twice = await appOf(testRuntime).inject({
        method: 'GET',
        url: `/hooks/whatsapp-cloud/${numberId}?hub.mode=subscribe&hub.verify_token=${token}&hub.verify_token=${token}&hub.challenge=1158201444`,
      });
      expectErrorBody(twice, 400, 'bad_request');
      expect(testRuntime.logLines.filter((line) => Number(line.level) >= 50)).toHaveLength(errorsBefore);
    });

    it('refuses a statuses payload with a bad X-Hub-Signature-256 and changes nothing', async () => {
      const providerMessageId = 'wamid.HBgLOTY2NTUxMjM5MDAxFQIAERgSBADSIGNATURE';
      const messageId = await insertSentMessage(providerMessageId);
      const body = statusesBody(providerMessageId, 'read');

      expectErrorBody(await deliver(body, `sha256=${createHmac('sha256', 'wrong-secret').update(body).digest('hex')}`), 401, 'invalid_signature');
      expectErrorBody(await deliver(body, 'sha256=nothex'), 401, 'invalid_signature');
      expect(await messageStatus(messageId)).toMatchObject({ status: 'sent', read_at: null });
    });

    it("applies a correctly signed status to the message it names", async () => {
      const providerMessageId = 'wamid.HBgLOTY2NTUxMjM5MDAxFQIAERgSGOODSIGNATURE';
      const messageId = await insertSentMessage(providerMessageId);
      const body = statusesBody(providerMessageId, 'read');

      const response = await deliver(body, `sha256=${createHmac('sha256', CLOUD_SETTINGS.appSecret).update(body).digest('hex')}`);

      expect(response.statusCode, response.body).toBe(200);
      const message = await messageStatus(messageId);
      expect(message?.status).toBe('read');
      expect(message?.read_at).not.toBeNull();
    });
  });
});
