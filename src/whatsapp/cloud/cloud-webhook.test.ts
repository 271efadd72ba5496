import { createHmac } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { AppError } from '../../errors.ts';
import { answerVerificationChallenge, parseCloudWebhook, verifyCloudSignature } from './cloud-webhook.ts';

const APP_SECRET = '2b7e151628aed2a6abf7158809cf4f3c';
const fixture = (name: string): Buffer => readFileSync(new URL(`./__fixtures__/${name}`, import.meta.url));
const signatureOf = (body: Buffer, secret = APP_SECRET): string =>
  `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;

const errorOf = (action: () => unknown): AppError => {
  try {
    action();
  } catch (error) {
    if (error instanceof AppError) return error;
    throw error;
  }
  throw new Error('expected an AppError');
};

describe('verifyCloudSignature', () => {
  const body = fixture('statuses.json');

  it('accepts a body signed with the app secret', () => {
    expect(() => verifyCloudSignature(body, signatureOf(body), APP_SECRET)).not.toThrow();
  });

  it('accepts an upper-case hex digest', () => {
    const header = `sha256=${createHmac('sha256', APP_SECRET).update(body).digest('hex').toUpperCase()}`;
    expect(() => verifyCloudSignature(body, header, APP_SECRET)).not.toThrow();
  });

  it('rejects a body changed after signing', () => {
    const tampered = Buffer.from(body.toString('utf8').replace('"status": "failed"', '"status": "read"'));
    expect(tampered.equals(body)).toBe(false);
    expect(errorOf(() => verifyCloudSignature(tampered, signatureOf(body), APP_SECRET)).code).toBe('invalid_signature');
  });

  it('rejects a body re-serialized from parsed JSON, which changes the signed bytes', () => {
    const reserialized = Buffer.from(JSON.stringify(JSON.parse(body.toString('utf8'))));
    expect(errorOf(() => verifyCloudSignature(reserialized, signatureOf(body), APP_SECRET)).code).toBe('invalid_signature');
  });

  it('rejects a signature made with another secret', () => {
    expect(errorOf(() => verifyCloudSignature(body, signatureOf(body, 'another-secret'), APP_SECRET)).code).toBe(
      'invalid_signature',
    );
  });

  it('rejects a request without the header', () => {
    const error = errorOf(() => verifyCloudSignature(body, undefined, APP_SECRET));
    expect(error.code).toBe('invalid_signature');
    expect(error.status).toBe(401);
    expect(errorOf(() => verifyCloudSignature(body, '', APP_SECRET)).code).toBe('invalid_signature');
  });

  it('rejects a header with a wrong prefix or a digest of the wrong shape', () => {
    const hex = signatureOf(body).slice('sha256='.length);
    for (const header of [`sha1=${hex}`, hex, `SHA256=${hex}`, `sha256=${hex.slice(2)}`, `sha256=${hex}00`, `sha256=${'z'.repeat(64)}`]) {
      expect(errorOf(() => verifyCloudSignature(body, header, APP_SECRET)).code).toBe('invalid_signature');
    }
  });

  it('rejects every request when no app secret is configured', () => {
    const unkeyed = `sha256=${createHmac('sha256', '').update(body).digest('hex')}`;
    expect(errorOf(() => verifyCloudSignature(body, unkeyed, '')).code).toBe('invalid_signature');
  });
});

describe('answerVerificationChallenge', () => {
  const query = { 'hub.mode': 'subscribe', 'hub.verify_token': 'akked-verify-7f3a', 'hub.challenge': '1158201444' };

  it('returns the challenge when mode and verify token match', () => {
    expect(answerVerificationChallenge(query, 'akked-verify-7f3a')).toBe('1158201444');
  });

  it('refuses a wrong verify token', () => {
    const error = errorOf(() => answerVerificationChallenge(query, 'akked-verify-7f3b'));
    expect(error.code).toBe('forbidden');
    expect(error.status).toBe(403);
    expect(errorOf(() => answerVerificationChallenge(query, 'akked-verify-7f3a-longer')).code).toBe('forbidden');
  });

  it('refuses a missing token, a mode other than subscribe, or an unconfigured token', () => {
    expect(errorOf(() => answerVerificationChallenge({ ...query, 'hub.verify_token': undefined }, 'akked-verify-7f3a')).code).toBe(
      'forbidden',
    );
    expect(errorOf(() => answerVerificationChallenge({ ...query, 'hub.mode': 'unsubscribe' }, 'akked-verify-7f3a')).code).toBe(
      'forbidden',
    );
    expect(errorOf(() => answerVerificationChallenge({ ...query, 'hub.verify_token': '' }, '')).code).toBe('forbidden');
  });

  it('refuses to echo a missing or markup-bearing challenge', () => {
    expect(errorOf(() => answerVerificationChallenge({ ...query, 'hub.challenge': undefined }, 'akked-verify-7f3a')).code).toBe(
      'bad_request',
    );
    expect(
      errorOf(() => answerVerificationChallenge({ ...query, 'hub.challenge': '<script>alert(1)</script>' }, 'akked-verify-7f3a'))
        .code,
    ).toBe('bad_request');
  });
});

describe('parseCloudWebhook', () => {
  it('reads sent, delivered, read and failed receipts and skips other statuses', () => {
    const { receipts, inbound } = parseCloudWebhook(fixture('statuses.json'));
    expect(inbound).toEqual([]);
    expect(receipts).toEqual([
      {
        providerMessageId: 'wamid.HBgLMTY1MDUwNzY1MjAVAgARGBI3MTE5MjVBOTE3MDk5QUVFM0YA',
        status: 'sent',
        at: new Date('2025-06-18T16:22:53.000Z'),
      },
      {
        providerMessageId: 'wamid.HBgLMTY1MDUwNzY1MjAVAgARGBI3MTE5MjVBOTE3MDk5QUVFM0YA',
        status: 'delivered',
        at: new Date(1750263775 * 1000),
      },
      {
        providerMessageId: 'wamid.HBgLMTY1MDUwNzY1MjAVAgARGBI3MTE5MjVBOTE3MDk5QUVFM0YA',
        status: 'read',
        at: new Date(1750263819 * 1000),
      },
      {
        providerMessageId: 'wamid.HBgLMjEyNjEyMzQ1Njc4FQIAERgSQzQ3RkM0QTVEQjZBN0Y2MzYxAA==',
        status: 'failed',
        at: new Date(1750264102 * 1000),
        errorCode: '131026',
      },
    ]);
  });

  it('reads text, template button, reply button and list replies, in E.164, and skips media and reactions', () => {
    const { receipts, inbound } = parseCloudWebhook(fixture('messages.json'));
    expect(receipts).toEqual([]);
    expect(inbound).toEqual([
      {
        providerMessageId: 'wamid.HBgLMTY1MDM4Nzk0MzkVAgASGBQzQTRBNjU5OUFFRTAzODEwMTQ0RgA=',
        from: '+16505551234',
        text: 'Yes, please confirm my order',
        at: new Date(1749416383 * 1000),
      },
      {
        providerMessageId: 'wamid.HBgLMjEyNjEyMzQ1Njc4FQIAEhgUM0E2QjQ0RkY3RDIxQjg0RTJENjcA',
        from: '+212612345678',
        text: 'تأكيد الطلب',
        at: new Date(1749416390 * 1000),
      },
      {
        providerMessageId: 'wamid.HBgLMjEyNjEyMzQ1Njc4FQIAEhgUM0FCNjk5QkNDN0JFQjk2MTQ0NzUA',
        from: '+212612345678',
        text: 'Annuler',
        at: new Date(1749416401 * 1000),
      },
      {
        providerMessageId: 'wamid.HBgLMjEyNjEyMzQ1Njc4FQIAEhgUM0FFQjI0NkY0QTk0MDdCQzJBQjcA',
        from: '+212612345678',
        text: 'Deliver tomorrow',
        at: new Date(1749416412 * 1000),
      },
    ]);
  });

  it('keeps only the changes of the given phone-number id', () => {
    expect(parseCloudWebhook(fixture('messages.json'), { phoneNumberId: '106540352242922' }).inbound).toHaveLength(4);
    expect(parseCloudWebhook(fixture('messages.json'), { phoneNumberId: '999999999999999' })).toEqual({
      receipts: [],
      inbound: [],
    });
  });

  const wrap = (field: string, value: Record<string, unknown>): Buffer =>
    Buffer.from(
      JSON.stringify({
        object: 'whatsapp_business_account',
        entry: [{ id: '102290129340398', changes: [{ field, value: { messaging_product: 'whatsapp', ...value } }] }],
      }),
    );

  it('ignores echoes of messages the merchant typed in the Business app', () => {
    const body = wrap('smb_message_echoes', {
      message_echoes: [{ from: '15550783881', to: '16505551234', id: 'wamid.echo', timestamp: '1749416383', type: 'text', text: { body: 'hi' } }],
      messages: [{ from: '16505551234', id: 'wamid.echo2', timestamp: '1749416383', type: 'text', text: { body: 'hi' } }],
    });
    expect(parseCloudWebhook(body)).toEqual({ receipts: [], inbound: [] });
  });

  it('skips group messages, senders without a phone, and unreadable items without failing the batch', () => {
    const body = wrap('messages', {
      messages: [
        { from: '16505551234', group_id: 'grp.1', id: 'wamid.group', timestamp: '1749416383', type: 'text', text: { body: 'hi' } },
        { from_user_id: 'US.13491208655302741918', id: 'wamid.username', timestamp: '1749416383', type: 'text', text: { body: 'hi' } },
        { from: '16505551234', id: 'wamid.badtime', timestamp: 'yesterday', type: 'text', text: { body: 'hi' } },
        { from: '16505551234', id: 'wamid.blank', timestamp: '1749416383', type: 'text', text: { body: '   ' } },
        { from: '16505551234', id: 'wamid.good', timestamp: '1749416383', type: 'text', text: { body: '1' }, unknown_field: true },
      ],
      statuses: [{ id: 'wamid.nostatus', timestamp: '1749416383' }, 'nonsense'],
    });
    expect(parseCloudWebhook(body)).toEqual({
      receipts: [],
      inbound: [{ providerMessageId: 'wamid.good', from: '+16505551234', text: '1', at: new Date(1749416383 * 1000) }],
    });
  });

  it('returns nothing for notifications about other objects', () => {
    const body = Buffer.from(JSON.stringify({ object: 'page', entry: [{ changes: [] }] }));
    expect(parseCloudWebhook(body)).toEqual({ receipts: [], inbound: [] });
  });

  it('rejects a body that is not JSON, or JSON without entries, as malformed', () => {
    for (const raw of ['{"object":"whatsapp_business_account",', '', '[]', '{"object":"whatsapp_business_account"}', '"x"']) {
      const error = errorOf(() => parseCloudWebhook(Buffer.from(raw)));
      expect(error.code).toBe('malformed_json');
      expect(error.status).toBe(400);
    }
  });
});
