import { WebSocket } from 'ws';
import type { NetworkFrame } from '../../src/whatsapp/simulator/simulator-protocol.ts';

/** Test helpers shared by the simulator's tests: its control API and a raw device on its protocol. */
export type Answer = { status: number; body: { error?: { code: string; message: string } } & Record<string, unknown> };

export const callJson = async (baseUrl: string, method: string, path: string, body?: string): Promise<Answer> => {
  const response = await fetch(`${baseUrl}${path}`, {
    method,
    ...(body === undefined ? {} : { headers: { 'content-type': 'application/json' }, body }),
  });

  return { status: response.status, body: (await response.json()) as Answer['body'] };
};

/** A raw device on the protocol, recording every frame and the close. */
export const openDevice = async (baseUrl: string, phone: string, device = 'dev_test') => {
  const frames: NetworkFrame[] = [];
  const socket = new WebSocket(`${baseUrl.replace('http', 'ws')}/ws?phone=${encodeURIComponent(phone)}&device=${device}`);
  let closeCode: number | undefined;
  const closed = new Promise<number>((resolve) =>
    socket.on('close', (code) => {
      closeCode = code;
      resolve(code);
    }),
  );
  socket.on('message', (data) => frames.push(JSON.parse(data.toString()) as NetworkFrame));
  await new Promise<void>((resolve, reject) => {
    socket.once('open', () => resolve());
    socket.once('error', reject);
  });

  const waitForFrame = async (predicate: (frame: NetworkFrame) => boolean): Promise<NetworkFrame> => {
    const deadline = Date.now() + 5_000;
    for (;;) {
      const found = frames.find(predicate);
      if (found) return found;
      if (Date.now() > deadline) throw new Error(`no matching frame in ${JSON.stringify(frames)}`);
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
  };

  return {
    socket,
    frames,
    closed,
    closeCode: () => closeCode,
    send: (frame: unknown) => socket.send(typeof frame === 'string' ? frame : JSON.stringify(frame)),
    waitForFrame,
  };
};

