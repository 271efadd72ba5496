import { DisconnectReason, generateMessageID, generateMessageIDV2, WAMessageStatus, type BinaryNode, type WAMessage } from 'baileys';
import { describe, expect, it } from 'vitest';
import { AppError } from '../../errors.ts';
import {
  deriveProviderMessageId,
  describeDisconnect,
  extractCustomerText,
  isCustomerUpsertType,
  isIgnoredChatJid,
  isOwnProviderMessageId,
  jidToPhone,
  phoneToDigits,
  phoneToJid,
  readCustomerMessage,
  readMessageUpdates,
  readServerAck,
  readDisconnectInfo,
  readStatusCode,
  readUserReceiptUpdates,
  toDisconnectReason,
  toRefusedSendError,
  toUnavailableError,
} from './linked-events.ts';
import { deriveLegacyProviderMessageId } from './message-ids.ts';

const CUSTOMER_PN = '212612345678@s.whatsapp.net';
const CUSTOMER_LID = '98765432109876@lid';
const NOW = new Date('2026-05-02T10:00:00.000Z');

/** A close error as baileys makes it: a Boom, i.e. an Error with `output.statusCode`. */
const boom = (message: string, statusCode: number): Error => Object.assign(new Error(message), { output: { statusCode } });

/** A 1:1 text as baileys 7.0.0-rc14 emits it in `messages.upsert` (see decodeMessageNode + cleanMessage). */
const customerMessage = (overrides: { key?: Partial<WAMessage['key']>; message?: WAMessage['message'] } = {}): WAMessage => ({
  key: {
    remoteJid: CUSTOMER_PN,
    remoteJidAlt: CUSTOMER_LID,
    fromMe: false,
    id: 'A5F1C2D3E4B5A6978899AABBCCDDEEFF',
    participant: '',
    addressingMode: 'pn',
    ...overrides.key,
  },
  messageTimestamp: 1_777_716_000,
  pushName: 'Amina',
  message: overrides.message ?? { conversation: 'نعم' },
});

describe('disconnect reasons', () => {
  const expected: Record<number, string> = {
    [DisconnectReason.loggedOut]: 'logged_out',
    [DisconnectReason.forbidden]: 'device_locked',
    [DisconnectReason.restartRequired]: 'restart_required',
    [DisconnectReason.connectionReplaced]: 'replaced',
    [DisconnectReason.connectionClosed]: 'connection_lost',
    // connectionLost and timedOut are both 408.
    [DisconnectReason.connectionLost]: 'connection_lost',
    [DisconnectReason.badSession]: 'connection_lost',
    [DisconnectReason.multideviceMismatch]: 'multidevice_mismatch',
    [DisconnectReason.unavailableService]: 'connection_lost',
    // WhatsApp Web's connect-failure reasons that baileys has no name for.
    402: 'temporarily_banned',
    405: 'client_outdated',
    406: 'banned',
  };

  it.each(Object.entries(expected))('maps baileys close code %s to %s', (code, reason) => {
    expect(toDisconnectReason(Number(code))).toBe(reason);
  });

  it('covers every code of baileys DisconnectReason', () => {
    const codes = Object.values(DisconnectReason).filter((value): value is number => typeof value === 'number');
    expect(codes.length).toBeGreaterThan(0);
    for (const code of codes) expect(Object.keys(expected)).toContain(String(code));
  });

  it('treats a close without a code (or an unknown one) as a lost connection', () => {
    expect(toDisconnectReason(undefined)).toBe('connection_lost');
    expect(toDisconnectReason(409)).toBe('connection_lost');
  });

  it('reads when a temporary ban ends from the failure stanza, and nothing from other closes', () => {
    const failure = Object.assign(boom('Connection Failure', 402), { data: { reason: '402', expire: '3600' } });
    expect(readDisconnectInfo(failure, NOW)).toEqual({ until: new Date(NOW.getTime() + 3_600_000) });
    expect(readDisconnectInfo(boom('Connection Failure', 402), NOW)).toEqual({});
    expect(readDisconnectInfo(Object.assign(boom('x', 402), { data: { expire: 'soon' } }), NOW)).toEqual({});
    expect(readDisconnectInfo(undefined, NOW)).toEqual({});
  });

  it('reads the status code of a Boom and describes the close briefly', () => {
    const error = boom('Stream Errored (conflict)', 440);
    expect(readStatusCode(error)).toBe(440);
    expect(readStatusCode(new Error('plain'))).toBeUndefined();
    expect(readStatusCode(undefined)).toBeUndefined();
    expect(describeDisconnect(error)).toBe('440 Stream Errored (conflict)');
    expect(describeDisconnect(undefined)).toBe('connection closed');
    expect(describeDisconnect(boom('x'.repeat(500), 408)).length).toBe(200);
  });
});

describe('provider message ids', () => {
  it('derives the same WhatsApp-shaped id from the same message id, and different ids otherwise', () => {
    const id = deriveProviderMessageId('msg_01HZX3');
    expect(id).toMatch(/^3EB0[0-9A-F]{18}$/);
    expect(deriveProviderMessageId('msg_01HZX3')).toBe(id);
    expect(deriveProviderMessageId('msg_01HZX4')).not.toBe(id);
    // WhatsApp Web's current shape, as baileys rc14 generates it for its own sends.
    expect(id).toHaveLength(generateMessageIDV2('212600000000@s.whatsapp.net').length);
  });

  it('still recognises the 40-character ids of messages sent before, and re-derives them for a retry', () => {
    const legacy = deriveLegacyProviderMessageId('msg_01HZX3');
    expect(legacy).toMatch(/^3EB0[0-9A-F]{36}$/);
    expect(legacy.slice(0, 16)).toBe(deriveProviderMessageId('msg_01HZX3').slice(0, 16));
    expect(isOwnProviderMessageId(legacy)).toBe(true);
    expect(isOwnProviderMessageId(`${legacy.slice(0, -1)}${legacy.at(-1) === '0' ? '1' : '0'}`)).toBe(false);
  });

  it('recognises its own ids and not the ones WhatsApp Web or baileys generate', () => {
    const id = deriveProviderMessageId('msg_abc');
    expect(isOwnProviderMessageId(id)).toBe(true);
    expect(isOwnProviderMessageId(generateMessageID())).toBe(false);
    expect(isOwnProviderMessageId(generateMessageIDV2('212600000000@s.whatsapp.net'))).toBe(false);
    const lastDigit = id.at(-1) === '0' ? '1' : '0';
    expect(isOwnProviderMessageId(`${id.slice(0, -1)}${lastDigit}`)).toBe(false);
    expect(isOwnProviderMessageId(id.toLowerCase())).toBe(false);
    expect(isOwnProviderMessageId(undefined)).toBe(false);
  });
});

describe('phones and jids', () => {
  it('turns an E.164 phone into a phone jid and refuses anything else', () => {
    expect(phoneToJid('+212612345678')).toBe(CUSTOMER_PN);
    expect(() => phoneToJid('0612345678')).toThrow(AppError);
    expect(() => phoneToJid('+212 612 345 678')).toThrow(AppError);
  });

  it('reads the phone of a phone jid, with or without a device, and nothing of a LID or a group', () => {
    expect(jidToPhone(CUSTOMER_PN)).toBe('+212612345678');
    expect(jidToPhone('212612345678:23@s.whatsapp.net')).toBe('+212612345678');
    expect(jidToPhone(CUSTOMER_LID)).toBeNull();
    expect(jidToPhone('120363025246125888@g.us')).toBeNull();
    expect(jidToPhone(undefined)).toBeNull();
  });

  it('gives the digits a pairing code request wants', () => {
    expect(phoneToDigits('+212 612-345-678')).toBe('212612345678');
    expect(() => phoneToDigits('12')).toThrow(AppError);
  });

  it('ignores groups, broadcasts, status and newsletters but not people', () => {
    expect(isIgnoredChatJid('120363025246125888@g.us')).toBe(true);
    expect(isIgnoredChatJid('status@broadcast')).toBe(true);
    expect(isIgnoredChatJid('1700000000@broadcast')).toBe(true);
    expect(isIgnoredChatJid('120363144038483540@newsletter')).toBe(true);
    expect(isIgnoredChatJid(CUSTOMER_PN)).toBe(false);
    expect(isIgnoredChatJid(CUSTOMER_LID)).toBe(false);
  });
});

describe('customer messages', () => {
  it('accepts live and offline-delivered upserts only', () => {
    expect(isCustomerUpsertType('notify')).toBe(true);
    expect(isCustomerUpsertType('append')).toBe(true);
    expect(isCustomerUpsertType('history')).toBe(false);
  });

  it('reads a plain text from a phone-addressed customer', () => {
    expect(readCustomerMessage(customerMessage(), NOW)).toEqual({
      accepted: true,
      message: {
        providerMessageId: 'A5F1C2D3E4B5A6978899AABBCCDDEEFF',
        phone: '+212612345678',
        lidJid: CUSTOMER_LID,
        text: 'نعم',
        at: new Date(1_777_716_000 * 1000),
      },
    });
  });

  it('reads an extended text (a reply quoting our message)', () => {
    const result = readCustomerMessage(
      customerMessage({
        message: {
          extendedTextMessage: {
            text: ' 1 ',
            contextInfo: { stanzaId: deriveProviderMessageId('msg_1'), participant: '212600000000@s.whatsapp.net', quotedMessage: { conversation: 'Confirm?' } },
          },
        },
      }),
      NOW,
    );
    expect(result.accepted && result.message.text).toBe('1');
  });

  it('unwraps a disappearing message', () => {
    const result = readCustomerMessage(customerMessage({ message: { ephemeralMessage: { message: { extendedTextMessage: { text: 'oui' } } } } }), NOW);
    expect(result.accepted && result.message.text).toBe('oui');
  });

  it('resolves a LID-addressed sender through its phone alternative', () => {
    const result = readCustomerMessage(
      customerMessage({ key: { remoteJid: CUSTOMER_LID, remoteJidAlt: CUSTOMER_PN, addressingMode: 'lid' }, message: { conversation: 'yes' } }),
      NOW,
    );
    expect(result).toMatchObject({ accepted: true, message: { phone: '+212612345678', lidJid: CUSTOMER_LID, text: 'yes' } });
  });

  it('keeps a LID-only sender for the mapping store to resolve', () => {
    const result = readCustomerMessage(customerMessage({ key: { remoteJid: CUSTOMER_LID, remoteJidAlt: undefined, addressingMode: 'lid' } }), NOW);
    expect(result).toMatchObject({ accepted: true, message: { phone: null, lidJid: CUSTOMER_LID } });
  });

  it('skips the merchant’s own messages', () => {
    expect(readCustomerMessage(customerMessage({ key: { fromMe: true } }), NOW)).toEqual({ accepted: false, reason: 'from_me' });
  });

  it('skips group messages, status updates, broadcasts and newsletters unread', () => {
    const group = customerMessage({ key: { remoteJid: '120363025246125888@g.us', remoteJidAlt: undefined, participant: CUSTOMER_PN } });
    const status = customerMessage({ key: { remoteJid: 'status@broadcast', remoteJidAlt: undefined, participant: CUSTOMER_PN } });
    const list = customerMessage({ key: { remoteJid: '1700000000@broadcast', remoteJidAlt: undefined, participant: CUSTOMER_PN } });
    const newsletter = customerMessage({ key: { remoteJid: '120363144038483540@newsletter', remoteJidAlt: undefined } });
    const whatsapp = customerMessage({ key: { remoteJid: '0@s.whatsapp.net', remoteJidAlt: undefined } });
    const metaAi = customerMessage({ key: { remoteJid: '13135550002@bot', remoteJidAlt: undefined } });
    for (const message of [group, status, list, newsletter, whatsapp, metaAi]) {
      expect(readCustomerMessage(message, NOW)).toEqual({ accepted: false, reason: 'not_a_person' });
    }
  });

  it('skips media, protocol messages and undecryptable stubs', () => {
    const image = customerMessage({ message: { imageMessage: { mimetype: 'image/jpeg', caption: '' } } });
    const revoke = customerMessage({ message: { protocolMessage: { type: 0, key: { id: 'X' } } } });
    const stub: WAMessage = { ...customerMessage(), message: undefined, messageStubType: 2, messageStubParameters: ['No session found to decrypt message'] };
    for (const message of [image, revoke, stub]) expect(readCustomerMessage(message, NOW)).toEqual({ accepted: false, reason: 'no_text' });
  });

  it('reads button and list replies and a reaction to one of our messages', () => {
    expect(extractCustomerText({ buttonsResponseMessage: { selectedButtonId: 'confirm', selectedDisplayText: 'Confirm ✅' } })).toBe('Confirm ✅');
    expect(extractCustomerText({ templateButtonReplyMessage: { selectedId: 'cancel', selectedDisplayText: 'Annuler' } })).toBe('Annuler');
    expect(extractCustomerText({ listResponseMessage: { title: '2', singleSelectReply: { selectedRowId: 'row-2' } } })).toBe('2');
    const ours = deriveProviderMessageId('msg_confirm');
    expect(extractCustomerText({ reactionMessage: { key: { id: ours, fromMe: true, remoteJid: CUSTOMER_PN }, text: '👍' } })).toBe('👍');
    // A reaction to something else (the customer's own message, a message the merchant typed) is no answer.
    expect(extractCustomerText({ reactionMessage: { key: { id: generateMessageID(), fromMe: true, remoteJid: CUSTOMER_PN }, text: '👍' } })).toBeNull();
    expect(extractCustomerText({ reactionMessage: { key: { id: ours, fromMe: false, remoteJid: CUSTOMER_PN }, text: '👍' } })).toBeNull();
  });
});

describe('receipts', () => {
  const ours = deriveProviderMessageId('msg_receipt');
  const key = { remoteJid: CUSTOMER_PN, fromMe: true, id: ours };

  it('maps message status updates of our messages to delivery statuses', () => {
    const receipts = readMessageUpdates(
      [
        { key, update: { status: WAMessageStatus.SERVER_ACK, messageTimestamp: 1_777_716_001 } },
        { key, update: { status: WAMessageStatus.DELIVERY_ACK, messageTimestamp: 1_777_716_002 } },
        { key, update: { status: WAMessageStatus.READ, messageTimestamp: 1_777_716_003 } },
        { key, update: { status: WAMessageStatus.PLAYED, messageTimestamp: 1_777_716_004 } },
        { key, update: { status: WAMessageStatus.PENDING } },
      ],
      NOW,
    );
    expect(receipts).toEqual([
      { providerMessageId: ours, status: 'sent', at: new Date(1_777_716_001_000) },
      { providerMessageId: ours, status: 'delivered', at: new Date(1_777_716_002_000) },
      { providerMessageId: ours, status: 'read', at: new Date(1_777_716_003_000) },
      { providerMessageId: ours, status: 'read', at: new Date(1_777_716_004_000) },
    ]);
  });

  it('reports an error ack with its code (463: reach-out restricted)', () => {
    const receipts = readMessageUpdates(
      [{ key, update: { status: WAMessageStatus.ERROR, messageStubParameters: ['463', 'Your account has been restricted'] } }],
      NOW,
    );
    expect(receipts).toEqual([{ providerMessageId: ours, status: 'failed', at: NOW, errorCode: '463' }]);
  });

  it('ignores receipts of messages the merchant sent from the phone, and of incoming messages', () => {
    const foreign = { ...key, id: generateMessageIDV2('212600000000@s.whatsapp.net') };
    expect(readMessageUpdates([{ key: foreign, update: { status: WAMessageStatus.READ } }], NOW)).toEqual([]);
    expect(readMessageUpdates([{ key: { ...key, fromMe: false }, update: { status: WAMessageStatus.READ } }], NOW)).toEqual([]);
    expect(readMessageUpdates([{ key, update: { message: { conversation: 'edited' } } }], NOW)).toEqual([]);
  });

  it('maps per-participant receipts (read wins over delivered)', () => {
    const receipts = readUserReceiptUpdates(
      [
        { key, receipt: { userJid: CUSTOMER_PN, receiptTimestamp: 1_777_716_002 } },
        { key, receipt: { userJid: CUSTOMER_PN, receiptTimestamp: 1_777_716_002, readTimestamp: 1_777_716_009 } },
        { key: { ...key, id: generateMessageID() }, receipt: { userJid: CUSTOMER_PN, readTimestamp: 1_777_716_009 } },
      ],
      NOW,
    );
    expect(receipts).toEqual([
      { providerMessageId: ours, status: 'delivered', at: new Date(1_777_716_002_000) },
      { providerMessageId: ours, status: 'read', at: new Date(1_777_716_009_000) },
    ]);
  });

  it('reads a server ack of our message, with or without an error', () => {
    const ack = (attrs: Record<string, string>): BinaryNode => ({ tag: 'ack', attrs: { class: 'message', from: CUSTOMER_PN, ...attrs } });
    expect(readServerAck(ack({ id: ours, t: '1777716001' }), NOW)).toEqual({ providerMessageId: ours, errorCode: null, at: new Date(1_777_716_001_000) });
    expect(readServerAck(ack({ id: ours, error: '463' }), NOW)).toEqual({ providerMessageId: ours, errorCode: '463', at: NOW });
    expect(readServerAck(ack({ id: generateMessageID() }), NOW)).toBeNull();
  });
});

describe('send failures', () => {
  it('turns a 463 into a permanent reach-out-restricted failure', () => {
    const error = toRefusedSendError('463');
    expect(error).toBeInstanceOf(AppError);
    expect(error.code).toBe('upstream_failed');
    expect(error.retryable).toBe(false);
    expect(error.details).toEqual({ reason: 'reach_out_restricted', providerCode: '463' });
  });

  it('turns another refusal (479, or a code we do not know) into a retryable rejection carrying the code', () => {
    const error = toRefusedSendError('479');
    expect(error.retryable).toBe(true);
    expect(error.details).toEqual({ reason: 'rejected', providerCode: '479' });
  });

  it('turns a closed connection into a retryable unavailability', () => {
    const error = toUnavailableError(boom('Connection Closed', 428));
    expect(error.code).toBe('upstream_unavailable');
    expect(error.retryable).toBe(true);
    expect(error.details).toEqual({ providerCode: '428' });
  });
});
