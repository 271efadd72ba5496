import type { NormalizedOrder, Platform } from './order.ts';

/*
 * One adapter per store platform (DESIGN.md §5.3, research/ecommerce-platforms.md). The webhook
 * route finds the store from the URL, then calls `readWebhook` (platforms/index.ts), which runs
 * `verify` over the raw bytes before `classify` parses anything. Adapters are pure: no database,
 * no network, no clock except `receivedAt`.
 */

export type WebhookRequest = {
  /** The exact bytes received: every signature is computed over them, never over re-encoded JSON. */
  rawBody: Buffer;
  /** Header names in lower case. */
  headers: Record<string, string | undefined>;
  query: Record<string, string | undefined>;
  /** When the request arrived, for timestamp tolerances (Standard Webhooks); now when absent. */
  receivedAt?: Date;
};

export type StoreContext = {
  storeId: string;
  /** The store's webhook secrets, current first; any one of them is accepted (rotation). */
  secrets: readonly string[];
  /** ISO 3166-1 alpha-2 country for phones typed in local form, when the order gives none. */
  defaultCountry: string | null;
  /** IANA time zone for platform times that carry no offset. */
  timezone: string;
};

export type NormalizeOptions = { defaultCountry: string | null; timezone: string };

/** What an order event means for Akked: a new order, a change, or a cancellation on the platform. */
export type OrderTopic = 'created' | 'updated' | 'cancelled';

export const PRIVACY_TOPICS = ['customers/data_request', 'customers/redact', 'shop/redact'] as const;
export type PrivacyTopic = (typeof PRIVACY_TOPICS)[number];

/** A platform's request about personal data (Shopify's mandatory compliance webhooks). */
export type PrivacyRequest = {
  topic: PrivacyTopic;
  deliveryId: string | null;
  shopDomain: string | null;
  /** The customer concerned (`customers/*` topics); the phone exactly as the platform sent it. */
  customer: { id: string | null; email: string | null; phone: string | null } | null;
  /** Platform order ids to export (`data_request`) or erase (`redact`), as strings. */
  orderIds: string[];
};

export type WebhookClassification =
  | {
      kind: 'order';
      topic: OrderTopic;
      /** The platform's id of this delivery, for deduplication; null when the platform sends none (Salla, Zid). */
      deliveryId: string | null;
      order: NormalizedOrder;
      /** The order's status on the platform (`processing`, `under_review`, ...), for the timeline. */
      platformStatus: string | null;
    }
  /** A test delivery with no data (WooCommerce's creation ping): answer 200, store nothing. */
  | { kind: 'ping' }
  /** A valid delivery Akked does not act on (another topic, a draft order): answer 200, store nothing. */
  | { kind: 'ignored'; reason: string }
  | ({ kind: 'privacy' } & PrivacyRequest);

export type PlatformAdapter = {
  platform: Platform;
  /**
   * Whether this is a request the platform sends unsigned and that carries no data, answered 200
   * without verification (WooCommerce's `webhook_id=NN` ping when a webhook is created).
   */
  isUnsignedPing?: (request: WebhookRequest) => boolean;
  /** Throws AppError `invalid_signature` unless the request is signed with one of the store's secrets. */
  verify: (request: WebhookRequest, store: StoreContext) => void;
  /** What a verified request means. Throws AppError `malformed_json` or `bad_request`, nothing else. */
  classify: (request: WebhookRequest, store: StoreContext) => WebhookClassification;
  /** The normalized order of one parsed body (also what `akked parse-order` prints). */
  normalize: (body: unknown, options: NormalizeOptions) => NormalizedOrder;
};
