import { afterEach, describe, expect, it } from 'vitest';
import type { WebSocket } from 'ws';
import { callJson, openDevice } from '../../../test/harness/simulator-device.ts';
import { createNetworkFaults } from './simulator-faults.ts';
import { startSimulator, type RunningSimulator, type SimulatorOptions } from './simulator-server.ts';

const CUSTOMER = '+212611112222';

/** A random source that replays the given values in a loop. */
const replay = (...values: number[]) => {
  let index = 0;

  return () => values[index++ % values.length] as number;
};

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('simulator network faults', () => {
  const running: RunningSimulator[] = [];
  const sockets: WebSocket[] = [];

  afterEach(async () => {
    for (const socket of sockets.splice(0)) socket.terminate();
    for (const simulator of running.splice(0)) await simulator.close();
  });

  const simulatorWith = async (options: SimulatorOptions) => {
    const simulator = await startSimulator({ deliveredAfterMs: 20, readAfterMs: 40, ...options });
    running.push(simulator);

    return simulator;
  };

  const readyDevice = async (simulator: RunningSimulator, phone: string, id?: string) => {
    const device = await openDevice(simulator.url, phone, id);
    sockets.push(device.socket);
    await device.waitForFrame((frame) => frame.type === 'ready');

    return device;
  };

  const inboxOf = async (simulator: RunningSimulator, phone: string) =>
    (await callJson(simulator.url, 'GET', `/control/messages?to=${encodeURIComponent(phone)}`)).body.messages as Array<{ id: string; status: string }>;

  describe('ack delay, jitter and receipt loss', () => {
    it('draws each ack delay between the delay and the delay plus the jitter', () => {
      const faults = createNetworkFaults({ ackDelayMs: 100, jitterMs: 50, random: replay(0, 0.5, 0.999) });

      expect([faults.ackDelay(), faults.ackDelay(), faults.ackDelay()]).toEqual([100, 125, 150]);
      expect(createNetworkFaults({ ackDelayMs: 30 }).ackDelay()).toBe(30);
      expect(createNetworkFaults().ackDelay()).toBe(0);
    });

    it('loses receipts at the given rate and none by default', () => {
      const faults = createNetworkFaults({ receiptDropRate: 0.3, random: replay(0.1, 0.29, 0.3, 0.9) });

      expect([faults.dropsReceipt(), faults.dropsReceipt(), faults.dropsReceipt(), faults.dropsReceipt()]).toEqual([true, true, false, false]);
      expect(createNetworkFaults({ random: () => 0 }).dropsReceipt()).toBe(false);
    });

    it('refuses a drop rate outside 0 to 1 and a negative delay', () => {
      expect(() => createNetworkFaults({ receiptDropRate: 1.5 })).toThrow();
      expect(() => createNetworkFaults({ ackDelayMs: -1 })).toThrow();
    });

    it('acks a send only after the ack delay, delivers it at once, and times receipts from the ack', async () => {
      const simulator = await simulatorWith({ ackDelayMs: 300 });
      const linked = await readyDevice(simulator, '+212600000101');

      const sentAt = Date.now();
      linked.send({ type: 'send', id: 'msg_slow', to: CUSTOMER, text: 'Order #1' });
      await sleep(100);
      const beforeAck = linked.frames.filter((frame) => frame.type === 'send_result' || frame.type === 'receipt');
      const delivered = await inboxOf(simulator, CUSTOMER);
      await linked.waitForFrame((frame) => frame.type === 'send_result');
      const ackedAfter = Date.now() - sentAt;
      await linked.waitForFrame((frame) => frame.type === 'receipt' && frame.status === 'read');

      expect(beforeAck).toEqual([]);
      expect(delivered.map((message) => message.id)).toEqual(['msg_slow']);
      expect(ackedAfter).toBeGreaterThanOrEqual(290);
      expect(linked.frames.filter((frame) => frame.type !== 'ready').map((frame) => frame.type)).toEqual(['send_result', 'receipt', 'receipt']);
    });

    it('adds the drawn jitter to each ack', async () => {
      const simulator = await simulatorWith({ ackDelayMs: 0, jitterMs: 400, random: replay(0.99, 0) });
      const linked = await readyDevice(simulator, '+212600000102');

      linked.send({ type: 'send', id: 'msg_late', to: CUSTOMER, text: 'first' });
      linked.send({ type: 'send', id: 'msg_early', to: CUSTOMER, text: 'second' });
      await linked.waitForFrame((frame) => frame.type === 'send_result' && frame.id === 'msg_late');

      const acks = linked.frames.flatMap((frame) => (frame.type === 'send_result' ? [frame.id] : []));
      expect(acks).toEqual(['msg_early', 'msg_late']);
    });

    it('loses every receipt at rate 1 while the customer still gets and reads the message', async () => {
      const simulator = await simulatorWith({ receiptDropRate: 1 });
      const linked = await readyDevice(simulator, '+212600000103');

      linked.send({ type: 'send', id: 'msg_lossy', to: CUSTOMER, text: 'Order #3' });
      await linked.waitForFrame((frame) => frame.type === 'send_result');
      await sleep(150);

      expect(linked.frames.filter((frame) => frame.type === 'receipt')).toEqual([]);
      expect(await inboxOf(simulator, CUSTOMER)).toMatchObject([{ id: 'msg_lossy', status: 'read' }]);
    });
  });

  describe('stall', () => {
    it('holds a stalled phone’s sends without ack or delivery until cleared, then delivers and acks each once', async () => {
      const simulator = await simulatorWith({});
      const phone = '+212600000110';
      const linked = await readyDevice(simulator, phone);
      expect((await callJson(simulator.url, 'POST', '/control/fail', JSON.stringify({ phone, mode: 'stall' }))).status).toBe(200);

      linked.send({ type: 'send', id: 'msg_held', to: CUSTOMER, text: 'Order #10' });
      linked.send({ type: 'send', id: 'msg_held', to: CUSTOMER, text: 'Order #10' });
      await sleep(200);
      const whileStalled = { frames: linked.frames.filter((frame) => frame.type === 'send_result'), inbox: await inboxOf(simulator, CUSTOMER) };
      expect((await callJson(simulator.url, 'POST', '/control/clear', JSON.stringify({ phone }))).status).toBe(200);
      await linked.waitForFrame((frame) => frame.type === 'receipt' && frame.status === 'read');

      expect(whileStalled).toEqual({ frames: [], inbox: [] });
      expect(linked.frames.filter((frame) => frame.type === 'send_result')).toMatchObject([
        { id: 'msg_held', ok: true },
        { id: 'msg_held', ok: true },
      ]);
      expect(await inboxOf(simulator, CUSTOMER)).toMatchObject([{ id: 'msg_held', status: 'read' }]);
    });

    it('delivers a send held on a dead connection once, when the next device sends it again and the stall clears', async () => {
      const simulator = await simulatorWith({});
      const phone = '+212600000111';
      const first = await readyDevice(simulator, phone, 'dev_first');
      await callJson(simulator.url, 'POST', '/control/fail', JSON.stringify({ phone, mode: 'stall' }));
      first.send({ type: 'send', id: 'msg_retried', to: '+212611113333', text: 'Order #11' });
      await sleep(50);
      first.socket.terminate();
      await first.closed;

      const second = await readyDevice(simulator, phone, 'dev_second');
      second.send({ type: 'send', id: 'msg_retried', to: '+212611113333', text: 'Order #11' });
      await sleep(100);
      const ackedWhileStalled = second.frames.filter((frame) => frame.type === 'send_result');
      await callJson(simulator.url, 'POST', '/control/clear', JSON.stringify({ phone }));
      await second.waitForFrame((frame) => frame.type === 'send_result');

      expect(ackedWhileStalled).toEqual([]);
      expect(await inboxOf(simulator, '+212611113333')).toHaveLength(1);
      expect(second.frames.filter((frame) => frame.type === 'send_result')).toMatchObject([{ id: 'msg_retried', ok: true }]);
    });

    it('stalls only that phone: another phone’s sends go through', async () => {
      const simulator = await simulatorWith({});
      await callJson(simulator.url, 'POST', '/control/fail', JSON.stringify({ phone: '+212600000112', mode: 'stall' }));
      const other = await readyDevice(simulator, '+212600000113');

      other.send({ type: 'send', id: 'msg_free', to: CUSTOMER, text: 'Order #12' });

      expect(await other.waitForFrame((frame) => frame.type === 'send_result')).toMatchObject({ id: 'msg_free', ok: true });
    });
  });

  describe('disconnect storm', () => {
    it('cuts every device at once and again every everyMs until the storm ends, then lets devices stay', async () => {
      const simulator = await simulatorWith({});
      const devices = await Promise.all(['+212600000120', '+212600000121', '+212600000122'].map((phone) => readyDevice(simulator, phone)));

      const started = await callJson(simulator.url, 'POST', '/control/storm', JSON.stringify({ durationMs: 600, everyMs: 100 }));
      const codes = await Promise.all(devices.map((device) => device.closed));
      await sleep(150);
      // A device that comes back during the storm is cut at the next beat (maybe before its ready frame).
      const comeback = await openDevice(simulator.url, '+212600000120', 'dev_comeback');
      sockets.push(comeback.socket);
      const cutAgain = await comeback.closed;
      const during = await callJson(simulator.url, 'GET', '/control/storm');
      await sleep(600);
      const after = await callJson(simulator.url, 'GET', '/control/storm');
      const survivor = await readyDevice(simulator, '+212600000121', 'dev_after');
      await sleep(250);

      expect(started.status).toBe(202);
      expect(started.body).toMatchObject({ active: true, everyMs: 100, endsAt: expect.any(String), disconnects: 3 });
      expect(codes).toEqual([1006, 1006, 1006]);
      expect(cutAgain).toBe(1006);
      expect(during.body).toMatchObject({ active: true });
      expect(Number(during.body.disconnects)).toBeGreaterThanOrEqual(4);
      expect(after.body).toMatchObject({ active: false, endsAt: null });
      expect(survivor.closeCode()).toBeUndefined();
      expect((await callJson(simulator.url, 'GET', '/control/devices')).body.devices).toContainEqual(expect.objectContaining({ device: 'dev_after' }));
    });

    it('ends a running storm early with durationMs 0', async () => {
      const simulator = await simulatorWith({});
      await callJson(simulator.url, 'POST', '/control/storm', JSON.stringify({ durationMs: 60_000, everyMs: 50 }));

      const ended = await callJson(simulator.url, 'POST', '/control/storm', JSON.stringify({ durationMs: 0, everyMs: 50 }));
      const device = await readyDevice(simulator, '+212600000123');
      await sleep(150);

      expect(ended.body).toMatchObject({ active: false });
      expect(device.closeCode()).toBeUndefined();
    });

    it.each([
      ['an interval under 10 ms', { durationMs: 1000, everyMs: 5 }],
      ['a missing duration', { everyMs: 100 }],
      ['a negative duration', { durationMs: -1, everyMs: 100 }],
      ['an unknown field', { durationMs: 1000, everyMs: 100, phones: [] }],
    ])('rejects a storm with %s with 400', async (_case, body) => {
      const simulator = await simulatorWith({});

      const answer = await callJson(simulator.url, 'POST', '/control/storm', JSON.stringify(body));

      expect(answer).toMatchObject({ status: 400, body: { error: { code: 'bad_request' } } });
    });
  });
});
