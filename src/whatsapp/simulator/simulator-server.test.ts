import { request as httpRequest } from 'node:http';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { WebSocket } from 'ws';
import { CLOSE_CODES } from './simulator-protocol.ts';
import { startSimulator, type RunningSimulator } from './simulator-server.ts';
import { callJson, openDevice } from '../../../test/harness/simulator-device.ts';

const LINKED_PHONE = '+212600000001';
const CUSTOMER_PHONE = '+212611111111';

describe('simulator server', () => {
  let simulator: RunningSimulator;
  const sockets: WebSocket[] = [];

  beforeAll(async () => {
    simulator = await startSimulator({ deliveredAfterMs: 20, readAfterMs: 40, maxMessagesPerPhone: 3 });
  });

  afterEach(() => {
    for (const socket of sockets.splice(0)) socket.terminate();
  });

  afterAll(async () => {
    await simulator.close();
  });

  const device = async (phone: string, id?: string) => {
    const opened = await openDevice(simulator.url, phone, id);
    sockets.push(opened.socket);

    return opened;
  };

  describe('control API', () => {
    it('answers the health check', async () => {
      expect(await callJson(simulator.url, 'GET', '/healthz')).toEqual({ status: 200, body: { status: 'ok' } });
    });

    it.each([
      ['a missing text', { from: CUSTOMER_PHONE, to: LINKED_PHONE }],
      ['an empty text', { from: CUSTOMER_PHONE, to: LINKED_PHONE, text: '' }],
      ['a sender that is not E.164', { from: '0611111111', to: LINKED_PHONE, text: 'hi' }],
      ['a recipient that is not E.164', { from: CUSTOMER_PHONE, to: 'linked', text: 'hi' }],
    ])('rejects a reply with %s with 400 bad_request', async (_case, body) => {
      const answer = await callJson(simulator.url, 'POST', '/control/reply', JSON.stringify(body));

      expect(answer.status).toBe(400);
      expect(answer.body.error?.code).toBe('bad_request');
      expect(answer.body.error?.message).not.toBe('');
    });

    it('rejects a body that is not JSON with 400 malformed_json', async () => {
      const answer = await callJson(simulator.url, 'POST', '/control/reply', '{"from":');

      expect(answer).toMatchObject({ status: 400, body: { error: { code: 'malformed_json' } } });
    });

    it('rejects a body over 1 MiB with 413', async () => {
      const text = 'x'.repeat(1024 * 1024 + 10);
      const answer = await callJson(simulator.url, 'POST', '/control/reply', JSON.stringify({ from: CUSTOMER_PHONE, to: LINKED_PHONE, text }));

      expect(answer).toMatchObject({ status: 413, body: { error: { code: 'payload_too_large' } } });
    });

    it('rejects an unknown failure mode with 400', async () => {
      const answer = await callJson(simulator.url, 'POST', '/control/fail', JSON.stringify({ phone: CUSTOMER_PHONE, mode: 'explode' }));

      expect(answer).toMatchObject({ status: 400, body: { error: { code: 'bad_request' } } });
    });

    it('answers 404 when asked to drop a phone that has no connected device', async () => {
      const answer = await callJson(simulator.url, 'POST', '/control/fail', JSON.stringify({ phone: '+212699999999', mode: 'disconnect' }));

      expect(answer).toMatchObject({ status: 404, body: { error: { code: 'not_found' } } });
    });

    it('answers 404 for an unknown route and for a wrong method', async () => {
      expect((await callJson(simulator.url, 'GET', '/control/nothing')).status).toBe(404);
      expect((await callJson(simulator.url, 'GET', '/control/reply')).status).toBe(404);
    });

    it('rejects a message listing without a valid phone with 400', async () => {
      expect((await callJson(simulator.url, 'GET', '/control/messages')).status).toBe(400);
      expect((await callJson(simulator.url, 'GET', '/control/messages?to=abc')).status).toBe(400);
    });

    it('reads an unescaped plus in the phone of a message listing', async () => {
      const phone = '+212600000010';
      await callJson(simulator.url, 'POST', '/control/reply', JSON.stringify({ from: CUSTOMER_PHONE, to: phone, text: 'hello' }));

      const answer = await callJson(simulator.url, 'GET', `/control/messages?to=${phone}`);

      expect(answer.status).toBe(200);
      expect(answer.body.messages).toEqual([
        { id: expect.stringMatching(/^SIM/), from: CUSTOMER_PHONE, text: 'hello', status: 'sent', at: expect.any(String) },
      ]);
    });

    it('answers a reply with 202 and its id, and keeps only the newest messages per phone', async () => {
      const phone = '+212600000011';
      const ids: string[] = [];
      for (const text of ['one', 'two', 'three', 'four']) {
        const answer = await callJson(simulator.url, 'POST', '/control/reply', JSON.stringify({ from: CUSTOMER_PHONE, to: phone, text }));
        expect(answer.status).toBe(202);
        ids.push(String(answer.body.id));
      }

      const answer = await callJson(simulator.url, 'GET', `/control/messages?to=${encodeURIComponent(phone)}`);

      const messages = answer.body.messages as Array<{ id: string; text: string }>;
      expect(messages.map((message) => message.text)).toEqual(['two', 'three', 'four']);
      expect(messages.map((message) => message.id)).toEqual(ids.slice(1));
    });

    it('lists connected devices', async () => {
      const phone = '+212600000012';
      await device(phone, 'dev_listed');

      const answer = await callJson(simulator.url, 'GET', '/control/devices');

      expect(answer.body.devices).toContainEqual({ phone, device: 'dev_listed', connectedAt: expect.any(String) });
    });
  });

  describe('device protocol', () => {
    it('refuses a device connection without a valid phone with HTTP 400, and other paths with 404', async () => {
      const statusOf = (path: string) =>
        new Promise<number>((resolve, reject) => {
          const request = httpRequest(`${simulator.url}${path}`, {
            headers: { connection: 'Upgrade', upgrade: 'websocket', 'sec-websocket-version': '13', 'sec-websocket-key': 'dGhlIHNhbXBsZSBub25jZQ==' },
          });
          request.on('response', (response) => {
            response.resume();
            resolve(response.statusCode ?? 0);
          });
          request.on('error', reject);
          request.end();
        });

      expect(await statusOf('/ws?phone=0612&device=dev')).toBe(400);
      expect(await statusOf(`/ws?phone=${encodeURIComponent(LINKED_PHONE)}`)).toBe(400);
      expect(await statusOf('/socket')).toBe(404);
    });

    it('says ready, acks a send, then moves it through delivered and read', async () => {
      const phone = '+212600000020';
      const customer = '+212611110020';
      const linked = await device(phone);
      await linked.waitForFrame((frame) => frame.type === 'ready');

      linked.send({ type: 'send', id: 'msg_1', to: customer, text: 'Order #1' });

      expect(await linked.waitForFrame((frame) => frame.type === 'send_result')).toMatchObject({ id: 'msg_1', ok: true });
      await linked.waitForFrame((frame) => frame.type === 'receipt' && frame.status === 'read');
      const receipts = linked.frames.filter((frame) => frame.type === 'receipt');
      expect(receipts.map((frame) => frame.type === 'receipt' && frame.status)).toEqual(['delivered', 'read']);
      const listing = await callJson(simulator.url, 'GET', `/control/messages?to=${encodeURIComponent(customer)}`);
      expect(listing.body.messages).toEqual([{ id: 'msg_1', from: phone, text: 'Order #1', status: 'read', at: expect.any(String) }]);
    });

    it('refuses a send it cannot read by its id, and reports other unreadable frames', async () => {
      const linked = await device('+212600000021');

      linked.send({ type: 'send', id: 'msg_bad', to: 'nobody', text: 'x' });
      linked.send('not json');

      expect(await linked.waitForFrame((frame) => frame.type === 'send_result')).toMatchObject({
        id: 'msg_bad',
        ok: false,
        code: '400',
        reason: 'rejected',
      });
      await linked.waitForFrame((frame) => frame.type === 'protocol_error');
    });

    it('closes the first connection with the replaced code when a second opens for the same phone', async () => {
      const phone = '+212600000022';
      const first = await device(phone, 'dev_a');
      const second = await device(phone, 'dev_b');

      expect(await first.closed).toBe(CLOSE_CODES.replaced);
      expect(second.closeCode()).toBeUndefined();
    });

    it('resends queued frames until the device confirms them', async () => {
      const phone = '+212600000023';
      await callJson(simulator.url, 'POST', '/control/reply', JSON.stringify({ from: CUSTOMER_PHONE, to: phone, text: 'unconfirmed' }));
      const first = await device(phone);
      await first.waitForFrame((frame) => frame.type === 'inbound');
      first.socket.close();
      await first.closed;

      const second = await device(phone);
      const inbound = await second.waitForFrame((frame) => frame.type === 'inbound');
      if (inbound.type !== 'inbound') throw new Error('expected an inbound frame');
      second.send({ type: 'received', seq: inbound.seq });
      const listing = await (async () => {
        for (;;) {
          const answer = await callJson(simulator.url, 'GET', `/control/messages?to=${encodeURIComponent(phone)}`);
          const [message] = answer.body.messages as Array<{ status: string }>;
          if (message?.status === 'delivered') return answer;
          await new Promise((resolve) => setTimeout(resolve, 5));
        }
      })();
      second.socket.close();
      await second.closed;
      const third = await device(phone);
      await third.waitForFrame((frame) => frame.type === 'ready');
      await new Promise((resolve) => setTimeout(resolve, 30));

      expect(inbound).toMatchObject({ from: CUSTOMER_PHONE, text: 'unconfirmed' });
      expect(listing.body.messages).toMatchObject([{ text: 'unconfirmed', status: 'delivered' }]);
      expect(third.frames.filter((frame) => frame.type === 'inbound')).toEqual([]);
    });

    it('closes every device with going-away when the simulator stops', async () => {
      const own = await startSimulator();
      const linked = await openDevice(own.url, '+212600000024');

      await own.close();

      expect(await linked.closed).toBe(CLOSE_CODES.goingAway);
    });
  });
});
