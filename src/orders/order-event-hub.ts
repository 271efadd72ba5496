import type { Database } from '../db/database.ts';

export const ORDER_EVENTS_CHANNEL = 'akked_order_events';

export type OrderChange = { orderId: string; status: string; at: string; messageId?: string };

type Subscriber = (change: OrderChange) => void;

/**
 * Fans order and message status changes out to the live dashboards of their account. One LISTEN
 * per process, whatever the number of open streams; the database delivers changes made by any
 * process (workers included).
 */
export class OrderEventHub {
  private readonly subscribers = new Map<string, Set<Subscriber>>();
  private stopListening: (() => Promise<void>) | null = null;
  private starting: Promise<void> | null = null;

  constructor(private readonly database: Database) {}

  async subscribe(accountId: string, subscriber: Subscriber): Promise<() => void> {
    this.starting ??= this.database
      .listen(ORDER_EVENTS_CHANNEL, (payload) => this.dispatch(payload))
      .then((stop) => {
        this.stopListening = stop;
      });
    await this.starting;
    const set = this.subscribers.get(accountId) ?? new Set<Subscriber>();
    set.add(subscriber);
    this.subscribers.set(accountId, set);

    return () => {
      set.delete(subscriber);
      if (set.size === 0) this.subscribers.delete(accountId);
    };
  }

  private dispatch(payload: string): void {
    let parsed: { accountId?: string; orderId?: string; status?: string; messageId?: string };
    try {
      parsed = JSON.parse(payload) as typeof parsed;
    } catch {
      return;
    }
    if (!parsed.accountId || !parsed.orderId || !parsed.status) return;
    const change: OrderChange = { orderId: parsed.orderId, status: parsed.status, at: new Date().toISOString(), ...(parsed.messageId ? { messageId: parsed.messageId } : {}) };
    for (const subscriber of this.subscribers.get(parsed.accountId) ?? []) subscriber(change);
  }

  async close(): Promise<void> {
    await this.stopListening?.();
  }
}
