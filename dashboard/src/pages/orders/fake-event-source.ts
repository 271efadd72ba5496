import { vi } from 'vitest';

/**
 * Test-only stand-in for the browser's EventSource: component tests open the order stream and
 * then play the server's part (open, `order` events, errors) by hand.
 */
export class FakeEventSource {
  static instances: FakeEventSource[] = [];
  readonly url: string;
  readyState = 0;
  private readonly listeners = new Map<string, Set<(event: Event) => void>>();

  constructor(url: string) {
    this.url = url;
    FakeEventSource.instances.push(this);
  }

  addEventListener(type: string, listener: (event: Event) => void): void {
    const set = this.listeners.get(type) ?? new Set();
    set.add(listener);
    this.listeners.set(type, set);
  }

  removeEventListener(type: string, listener: (event: Event) => void): void {
    this.listeners.get(type)?.delete(listener);
  }

  close(): void {
    this.readyState = 2;
  }

  open(): void {
    this.readyState = 1;
    this.dispatch(new Event('open'));
  }

  /** One `event: order` message as GET /api/v1/orders/stream writes it. */
  sendOrderChange(change: { orderId: string; status: string; at?: string; messageId?: string }): void {
    this.dispatch(new MessageEvent('order', { data: JSON.stringify({ at: '2026-05-01T10:05:00.000Z', ...change }) }));
  }

  /** A dropped connection: EventSource retries by itself (CONNECTING) or, after a non-stream answer, gives up (CLOSED). */
  fail(options: { closed: boolean }): void {
    this.readyState = options.closed ? 2 : 0;
    this.dispatch(new Event('error'));
  }

  private dispatch(event: Event): void {
    for (const listener of this.listeners.get(event.type) ?? []) listener(event);
  }

  /** The stream the page opened most recently (not yet closed). */
  static latest(): FakeEventSource {
    const open = FakeEventSource.instances.filter((source) => source.readyState !== 2);
    const source = open.at(-1);
    if (!source) throw new Error('no EventSource is open');
    return source;
  }
}

export const installFakeEventSource = (): typeof FakeEventSource => {
  FakeEventSource.instances = [];
  vi.stubGlobal('EventSource', FakeEventSource);
  return FakeEventSource;
};
