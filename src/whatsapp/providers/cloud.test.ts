import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { AppError } from '../../errors.ts';
import type { SessionEvents, WhatsAppSession } from '../provider.ts';
import { createCloudProvider, flattenTemplateParameter } from './cloud.ts';

type RecordedRequest = { method: string; path: string; headers: IncomingHttpHeaders; body: unknown };
type FakeAnswer = { status: number; body: unknown } | 'hang';

/** A local stand-in for graph.facebook.com that records every request and answers as told. */
const startFakeGraphApi = async () => {
  const requests: RecordedRequest[] = [];
  let nextAnswer: FakeAnswer = { status: 200, body: {} };

  const server: Server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      requests.push({
        method: request.method ?? '',
        path: request.url ?? '',
        headers: request.headers,
        body: text.length === 0 ? undefined : (JSON.parse(text) as unknown),
      });
      const answer = nextAnswer;
      if (answer === 'hang') return;
      response.writeHead(answer.status, { 'content-type': 'application/json' });
      response.end(typeof answer.body === 'string' ? answer.body : JSON.stringify(answer.body));
    });
  });

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  return {
    baseUrl: `http://127.0.0.1:${port}/v23.0`,
    requests,
    answer: (value: FakeAnswer) => {
      nextAnswer = value;
    },
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
};

const ACCESS_TOKEN = 'EAAG-secret-access-token-123';
const MESSAGE_TEXT = 'Hello Sheena, please confirm order #1042 for 349.00 MAD';

const SETTINGS = {
  phoneNumberId: '106540352242922',
  accessToken: ACCESS_TOKEN,
  appSecret: 'app-secret',
  verifyToken: 'verify-me',
  businessAccountId: '102290129340398',
};

const recordingEvents = () => {
  const connected: Array<{ phone: string | null }> = [];
  const events: SessionEvents = {
    onQr: () => undefined,
    onConnected: (info) => connected.push(info),
    onDisconnected: () => undefined,
    onReceipt: () => undefined,
    onInbound: () => undefined,
  };
  return { events, connected };
};

const graphError = (code: number, message: string, type = 'OAuthException') => ({
  error: { message, type, code, error_subcode: 2494010, fbtrace_id: 'AbCdEfGhIjK' },
});

const catchError = async (promise: Promise<unknown>): Promise<AppError> => {
  try {
    await promise;
  } catch (error) {
    if (error instanceof AppError) return error;
    throw error;
  }
  throw new Error('expected the promise to reject');
};

let fake: Awaited<ReturnType<typeof startFakeGraphApi>>;

beforeAll(async () => {
  fake = await startFakeGraphApi();
});

afterAll(async () => {
  await fake.close();
});

afterEach(() => {
  fake.requests.length = 0;
  fake.answer({ status: 200, body: {} });
});

const connectSession = async (timeoutMs?: number): Promise<WhatsAppSession> => {
  const provider = createCloudProvider({ baseUrl: `${fake.baseUrl}/`, ...(timeoutMs === undefined ? {} : { timeoutMs }) });
  return provider.connect({ numberId: 'num_1', phone: '+15550783881', settings: SETTINGS, events: recordingEvents().events });
};

const sendText = async (session: WhatsAppSession) =>
  session.send({ messageId: 'msg_1', to: '+16505551234', text: MESSAGE_TEXT });

describe('cloud provider', () => {
  it('declares itself as a webhook provider that holds no connection', () => {
    const provider = createCloudProvider({ baseUrl: fake.baseUrl });
    expect(provider.kind).toBe('cloud');
    expect(provider.holdsConnection).toBe(false);
  });

  it('refuses to connect without the required settings, naming fields but not values', async () => {
    const provider = createCloudProvider({ baseUrl: fake.baseUrl });
    const error = await catchError(
      provider.connect({
        numberId: 'num_1',
        phone: null,
        settings: { phoneNumberId: '106540352242922', accessToken: ACCESS_TOKEN },
        events: recordingEvents().events,
      }),
    );
    expect(error.code).toBe('bad_request');
    expect(error.details).toEqual({ fields: ['appSecret', 'verifyToken'] });
    expect(JSON.stringify(error)).not.toContain(ACCESS_TOKEN);
  });

  it('refuses a phone-number id that is not numeric', async () => {
    const provider = createCloudProvider({ baseUrl: fake.baseUrl });
    const error = await catchError(
      provider.connect({ numberId: 'num_1', phone: null, settings: { ...SETTINGS, phoneNumberId: '../me' }, events: recordingEvents().events }),
    );
    expect(error.code).toBe('bad_request');
    expect(error.details).toEqual({ fields: ['phoneNumberId'] });
  });

  it('reports the number as connected once, after connect resolves, with the configured phone', async () => {
    const provider = createCloudProvider({ baseUrl: fake.baseUrl });
    const { events, connected } = recordingEvents();
    await provider.connect({ numberId: 'num_1', phone: '+15550783881', settings: SETTINGS, events });
    expect(connected).toEqual([]);
    await new Promise((resolve) => setImmediate(resolve));
    await new Promise((resolve) => setImmediate(resolve));
    expect(connected).toEqual([{ phone: '+15550783881' }]);
  });

  it('does not report a session closed before it was announced', async () => {
    const provider = createCloudProvider({ baseUrl: fake.baseUrl });
    const { events, connected } = recordingEvents();
    const session = await provider.connect({ numberId: 'num_1', phone: null, settings: SETTINGS, events });
    await session.close();
    await new Promise((resolve) => setImmediate(resolve));
    expect(connected).toEqual([]);
  });

  it('posts a text message to /{phone-number-id}/messages and returns the wamid', async () => {
    fake.answer({
      status: 200,
      body: {
        messaging_product: 'whatsapp',
        contacts: [{ input: '16505551234', wa_id: '16505551234' }],
        messages: [{ id: 'wamid.HBgLMTY1MDUwNzY1MjAVAgARGBI3MTE5MjVBOTE3MDk5QUVFM0YA' }],
      },
    });
    const session = await connectSession();

    const result = await sendText(session);

    expect(result).toEqual({ providerMessageId: 'wamid.HBgLMTY1MDUwNzY1MjAVAgARGBI3MTE5MjVBOTE3MDk5QUVFM0YA' });
    expect(fake.requests).toHaveLength(1);
    const [request] = fake.requests;
    expect(request?.method).toBe('POST');
    expect(request?.path).toBe('/v23.0/106540352242922/messages');
    expect(request?.headers.authorization).toBe(`Bearer ${ACCESS_TOKEN}`);
    expect(request?.headers['content-type']).toBe('application/json');
    expect(request?.body).toEqual({
      messaging_product: 'whatsapp',
      recipient_type: 'individual',
      to: '16505551234',
      type: 'text',
      text: { preview_url: false, body: MESSAGE_TEXT },
    });
  });

  it('posts a template message with its body parameters in order', async () => {
    fake.answer({ status: 200, body: { messaging_product: 'whatsapp', messages: [{ id: 'wamid.template1' }] } });
    const session = await connectSession();
    expect(session.sendTemplate).toBeDefined();

    const result = await session.sendTemplate?.({
      messageId: 'msg_2',
      to: '+212612345678',
      templateName: 'order_confirmation',
      languageCode: 'ar',
      bodyParameters: ['يوسف', '#1042', '349.00 MAD'],
    });

    expect(result).toEqual({ providerMessageId: 'wamid.template1' });
    const [request] = fake.requests;
    expect(request?.method).toBe('POST');
    expect(request?.path).toBe('/v23.0/106540352242922/messages');
    expect(request?.headers.authorization).toBe(`Bearer ${ACCESS_TOKEN}`);
    expect(request?.headers['content-type']).toBe('application/json');
    expect(request?.body).toEqual({
      messaging_product: 'whatsapp',
      recipient_type: 'individual',
      to: '212612345678',
      type: 'template',
      template: {
        name: 'order_confirmation',
        language: { code: 'ar' },
        components: [
          {
            type: 'body',
            parameters: [
              { type: 'text', text: 'يوسف' },
              { type: 'text', text: '#1042' },
              { type: 'text', text: '349.00 MAD' },
            ],
          },
        ],
      },
    });
  });

  it('flattens line breaks in template parameters, which Meta refuses', async () => {
    fake.answer({ status: 200, body: { messages: [{ id: 'wamid.template2' }] } });
    const session = await connectSession();
    await session.sendTemplate?.({
      messageId: 'msg_3',
      to: '+212612345678',
      templateName: 'order_confirmation',
      languageCode: 'fr',
      bodyParameters: ['2 × T-shirt\n1 ×\tCasquette\n', ''],
    });
    const body = fake.requests[0]?.body as { template: { components: Array<{ parameters: Array<{ text: string }> }> } };
    expect(body.template.components[0]?.parameters.map((parameter) => parameter.text)).toEqual([
      '2 × T-shirt · 1 × Casquette',
      '-',
    ]);
    expect(flattenTemplateParameter('a      b')).toBe('a b');
  });

  it('sends a template without placeholders with no components', async () => {
    fake.answer({ status: 200, body: { messages: [{ id: 'wamid.template3' }] } });
    const session = await connectSession();
    await session.sendTemplate?.({ messageId: 'msg_4', to: '+16505551234', templateName: 'hello_world', languageCode: 'en_US', bodyParameters: [] });
    expect(fake.requests[0]?.body).toEqual({
      messaging_product: 'whatsapp',
      recipient_type: 'individual',
      to: '16505551234',
      type: 'template',
      template: { name: 'hello_world', language: { code: 'en_US' } },
    });
  });

  it('refuses a recipient that is not E.164 without calling Meta', async () => {
    const session = await connectSession();
    const error = await catchError(session.send({ messageId: 'msg_5', to: '0612345678', text: MESSAGE_TEXT }));
    expect(error.code).toBe('invalid_phone');
    expect(error.retryable).toBe(false);
    expect(fake.requests).toHaveLength(0);
  });

  it('cannot tell whether a phone has WhatsApp before sending', async () => {
    const session = await connectSession();
    await expect(session.checkOnWhatsApp('+16505551234')).resolves.toBeNull();
    await expect(session.close()).resolves.toBeUndefined();
    await expect(session.logout()).resolves.toBeUndefined();
    expect(fake.requests).toHaveLength(0);
  });

  const refusals: Array<{ name: string; status: number; code: number; reason: string }> = [
    { name: 'outside the 24-hour window (131047)', status: 400, code: 131047, reason: 'outside_window' },
    { name: 'undeliverable recipient (131026)', status: 400, code: 131026, reason: 'not_on_whatsapp' },
    { name: 'recipient not in the allowed list (131030)', status: 400, code: 131030, reason: 'not_on_whatsapp' },
    { name: 'an expired access token (190)', status: 401, code: 190, reason: 'auth' },
    { name: 'a missing permission (10)', status: 403, code: 10, reason: 'auth' },
    { name: 'an invalid parameter (100)', status: 400, code: 100, reason: 'rejected' },
    { name: 'a template that does not exist (132001)', status: 404, code: 132001, reason: 'rejected' },
  ];

  for (const refusal of refusals) {
    it(`fails for good on ${refusal.name} with reason ${refusal.reason}`, async () => {
      fake.answer({ status: refusal.status, body: graphError(refusal.code, `(#${refusal.code}) ${ACCESS_TOKEN} ${MESSAGE_TEXT}`) });
      const session = await connectSession();
      const error = await catchError(sendText(session));
      expect(error.code).toBe('upstream_failed');
      expect(error.retryable).toBe(false);
      expect(error.details).toMatchObject({
        reason: refusal.reason,
        providerCode: String(refusal.code),
        httpStatus: refusal.status,
        fbtraceId: 'AbCdEfGhIjK',
      });
      // Graph's message is never copied: it can quote the request.
      expect(error.message).not.toContain(ACCESS_TOKEN);
      expect(JSON.stringify(error)).not.toContain(ACCESS_TOKEN);
      expect(JSON.stringify(error)).not.toContain(MESSAGE_TEXT);
    });
  }

  it('treats an HTTP 401 without a Graph body as an auth failure', async () => {
    fake.answer({ status: 401, body: 'Unauthorized' });
    const session = await connectSession();
    const error = await catchError(sendText(session));
    expect(error.code).toBe('upstream_failed');
    expect(error.details).toMatchObject({ reason: 'auth', httpStatus: 401 });
  });

  const transientFailures: Array<{ name: string; status: number; body: unknown; reason: string }> = [
    { name: 'the throughput limit (130429)', status: 400, body: graphError(130429, 'Rate limit hit'), reason: 'rate_limited' },
    { name: 'the pair rate limit (131056)', status: 400, body: graphError(131056, 'Pair rate limit hit'), reason: 'rate_limited' },
    { name: 'the account rate limit (80007)', status: 400, body: graphError(80007, 'Rate limit issues'), reason: 'rate_limited' },
    { name: 'an HTTP 429 without a code', status: 429, body: 'slow down', reason: 'rate_limited' },
    { name: 'a Graph service error (131000) on HTTP 500', status: 500, body: graphError(131000, 'Something went wrong'), reason: 'unavailable' },
    { name: 'an HTTP 502 from a proxy', status: 502, body: '<html>Bad Gateway</html>', reason: 'unavailable' },
    { name: 'an HTTP 503 with an unknown code', status: 503, body: graphError(99999, 'Temporarily unavailable'), reason: 'unavailable' },
  ];

  for (const failure of transientFailures) {
    it(`asks for a retry on ${failure.name}`, async () => {
      fake.answer({ status: failure.status, body: failure.body });
      const session = await connectSession();
      const error = await catchError(sendText(session));
      expect(error.code).toBe('upstream_unavailable');
      expect(error.retryable).toBe(true);
      expect(error.details).toMatchObject({ reason: failure.reason, httpStatus: failure.status });
    });
  }

  it('asks for a retry when Meta does not answer in time', async () => {
    fake.answer('hang');
    const session = await connectSession(150);
    const startedAt = Date.now();
    const error = await catchError(sendText(session));
    expect(error.code).toBe('upstream_unavailable');
    expect(error.retryable).toBe(true);
    expect(error.details).toEqual({ reason: 'timeout' });
    expect(Date.now() - startedAt).toBeLessThan(5_000);
    expect(fake.requests).toHaveLength(1);
  });

  it('asks for a retry when the Graph API cannot be reached', async () => {
    const unreachable = await startFakeGraphApi();
    await unreachable.close();
    const provider = createCloudProvider({ baseUrl: unreachable.baseUrl });
    const session = await provider.connect({ numberId: 'num_1', phone: null, settings: SETTINGS, events: recordingEvents().events });
    const error = await catchError(sendText(session));
    expect(error.code).toBe('upstream_unavailable');
    expect(error.retryable).toBe(true);
    expect(error.details).toEqual({ reason: 'network' });
    expect(error.message).not.toContain(ACCESS_TOKEN);
  });

  it('does not retry a 2xx answer without a message id, since the message may be out', async () => {
    fake.answer({ status: 200, body: { messaging_product: 'whatsapp', messages: [] } });
    const session = await connectSession();
    const error = await catchError(sendText(session));
    expect(error.code).toBe('upstream_failed');
    expect(error.retryable).toBe(false);
    expect(error.details).toEqual({ reason: 'invalid_response', httpStatus: 200 });
  });

  it('uses the fetch it is given', async () => {
    const calls: string[] = [];
    const provider = createCloudProvider({
      baseUrl: 'https://graph.example.invalid/v23.0',
      fetch: async (input) => {
        calls.push(String(input));
        return new Response(JSON.stringify({ messages: [{ id: 'wamid.injected' }] }), { status: 200 });
      },
    });
    const session = await provider.connect({ numberId: 'num_1', phone: null, settings: SETTINGS, events: recordingEvents().events });
    await expect(sendText(session)).resolves.toEqual({ providerMessageId: 'wamid.injected' });
    expect(calls).toEqual(['https://graph.example.invalid/v23.0/106540352242922/messages']);
  });
});
