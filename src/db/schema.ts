import { sql } from 'drizzle-orm';
import {
  bigint,
  boolean,
  index,
  integer,
  jsonb,
  pgTable,
  primaryKey,
  text,
  timestamp,
  uniqueIndex,
} from 'drizzle-orm/pg-core';

/**
 * Typed view of the tables created by the numbered migrations in `db/migrations/`. The SQL files
 * are the source of truth; `schema.test.ts` checks that every column here exists in the database.
 */
const timestamps = {
  createdAt: timestamp('created_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
  updatedAt: timestamp('updated_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
};

/** A merchant's tenant: everything else belongs to one account. */
export const accounts = pgTable('accounts', {
  id: text('id').primaryKey(),
  name: text('name').notNull(),
  plan: text('plan').notNull().default('free'),
  /** Cached sum of the credit ledger; a CHECK keeps it from going below zero. */
  creditBalance: integer('credit_balance').notNull().default(0),
  stripeCustomerId: text('stripe_customer_id'),
  stripeSubscriptionId: text('stripe_subscription_id'),
  noCreditsNotifiedAt: timestamp('no_credits_notified_at', { withTimezone: true }),
  ...timestamps,
});

// better-auth's models, with our table names; property names are the ones better-auth expects.
export const users = pgTable('users', {
  id: text('id').primaryKey(),
  name: text('name').notNull(),
  email: text('email').notNull().unique(),
  emailVerified: boolean('email_verified').notNull().default(false),
  image: text('image'),
  akkedAccountId: text('account_id').references(() => accounts.id, { onDelete: 'cascade' }),
  language: text('language').notNull().default('en'),
  ...timestamps,
});

export const authSessions = pgTable('auth_sessions', {
  id: text('id').primaryKey(),
  token: text('token').notNull().unique(),
  userId: text('user_id')
    .notNull()
    .references(() => users.id, { onDelete: 'cascade' }),
  expiresAt: timestamp('expires_at', { withTimezone: true }).notNull(),
  ipAddress: text('ip_address'),
  userAgent: text('user_agent'),
  ...timestamps,
});

export const authIdentities = pgTable('auth_identities', {
  id: text('id').primaryKey(),
  accountId: text('provider_account_id').notNull(),
  providerId: text('provider_id').notNull(),
  userId: text('user_id')
    .notNull()
    .references(() => users.id, { onDelete: 'cascade' }),
  accessToken: text('access_token'),
  refreshToken: text('refresh_token'),
  idToken: text('id_token'),
  accessTokenExpiresAt: timestamp('access_token_expires_at', { withTimezone: true }),
  refreshTokenExpiresAt: timestamp('refresh_token_expires_at', { withTimezone: true }),
  scope: text('scope'),
  password: text('password'),
  ...timestamps,
});

export const authVerifications = pgTable('auth_verifications', {
  id: text('id').primaryKey(),
  identifier: text('identifier').notNull(),
  value: text('value').notNull(),
  expiresAt: timestamp('expires_at', { withTimezone: true }).notNull(),
  ...timestamps,
});

export const authRateLimits = pgTable('auth_rate_limits', {
  id: text('id').primaryKey(),
  key: text('key').notNull().unique(),
  count: integer('count').notNull(),
  lastRequest: bigint('last_request', { mode: 'number' }).notNull(),
});

export const apiKeys = pgTable('api_keys', {
  id: text('id').primaryKey(),
  accountId: text('account_id')
    .notNull()
    .references(() => accounts.id, { onDelete: 'cascade' }),
  name: text('name').notNull(),
  /** SHA-256 of the whole key; the key itself is shown once and never stored. */
  keyHash: text('key_hash').notNull().unique(),
  /** The first characters of the key, so a merchant can tell keys apart. */
  keyPrefix: text('key_prefix').notNull(),
  /** What the key may do (src/accounts/api-key-scopes.ts); migration 0017. */
  scopes: text('scopes').array().notNull().default(['orders:read', 'orders:write', 'stores', 'numbers']),
  createdByUserId: text('created_by_user_id'),
  lastUsedAt: timestamp('last_used_at', { withTimezone: true }),
  revokedAt: timestamp('revoked_at', { withTimezone: true }),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
});

/** Envelope-encrypted secrets (store write-back tokens, webhook secrets, Cloud API tokens). */
export const credentials = pgTable(
  'credentials',
  {
    id: text('id').primaryKey(),
    accountId: text('account_id')
      .notNull()
      .references(() => accounts.id, { onDelete: 'cascade' }),
    ownerId: text('owner_id').notNull(),
    purpose: text('purpose').notNull(),
    envelope: text('envelope').notNull(),
    keyId: text('key_id').notNull(),
    ...timestamps,
  },
  (table) => [uniqueIndex('credentials_owner_purpose').on(table.ownerId, table.purpose)],
);

export const whatsappNumbers = pgTable('whatsapp_numbers', {
  id: text('id').primaryKey(),
  accountId: text('account_id')
    .notNull()
    .references(() => accounts.id, { onDelete: 'cascade' }),
  provider: text('provider').notNull(),
  phone: text('phone'),
  status: text('status').notNull(),
  statusReason: text('status_reason'),
  /** Non-secret provider settings (Cloud API phone-number id...). Secrets live in `credentials`. */
  settings: jsonb('settings').$type<Record<string, unknown>>().notNull().default({}),
  linkedAt: timestamp('linked_at', { withTimezone: true }),
  lastConnectedAt: timestamp('last_connected_at', { withTimezone: true }),
  /** When the session manager should next open the session even with nothing to send. */
  wakeAt: timestamp('wake_at', { withTimezone: true }),
  qrEnvelope: text('qr_envelope'),
  pairingCodeEnvelope: text('pairing_code_envelope'),
  linkUpdatedAt: timestamp('link_updated_at', { withTimezone: true }),
  lastSentAt: timestamp('last_sent_at', { withTimezone: true }),
  sentToday: integer('sent_today').notNull().default(0),
  sentTodayDate: text('sent_today_date'),
  lastActivityAt: timestamp('last_activity_at', { withTimezone: true }),
  /** Nothing connects the number before this (a temporary ban, another client on the device). */
  connectPausedUntil: timestamp('connect_paused_until', { withTimezone: true }),
  /** The number writes first to no customer before this (463, reach-out timelock). */
  firstContactPausedUntil: timestamp('first_contact_paused_until', { withTimezone: true }),
  firstContactPauseReason: text('first_contact_pause_reason'),
  ...timestamps,
});

export const whatsappNumberEvents = pgTable(
  'whatsapp_number_events',
  {
    id: text('id').primaryKey(),
    numberId: text('number_id')
      .notNull()
      .references(() => whatsappNumbers.id, { onDelete: 'cascade' }),
    status: text('status').notNull(),
    reason: text('reason'),
    at: timestamp('at', { withTimezone: true }).notNull().defaultNow(),
  },
  (table) => [index('whatsapp_number_events_number').on(table.numberId, table.at)],
);

/** Linked-device auth state (baileys creds and signal keys), each value envelope-encrypted. */
export const whatsappAuthKeys = pgTable(
  'whatsapp_auth_keys',
  {
    numberId: text('number_id')
      .notNull()
      .references(() => whatsappNumbers.id, { onDelete: 'cascade' }),
    type: text('type').notNull(),
    keyId: text('key_id').notNull(),
    envelope: text('envelope').notNull(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (table) => [primaryKey({ columns: [table.numberId, table.type, table.keyId] })],
);

/** Which worker drives a number; the fencing token grows on every takeover. */
export const whatsappLeases = pgTable('whatsapp_leases', {
  numberId: text('number_id')
    .primaryKey()
    .references(() => whatsappNumbers.id, { onDelete: 'cascade' }),
  ownerId: text('owner_id').notNull(),
  fencingToken: bigint('fencing_token', { mode: 'number' }).notNull(),
  expiresAt: timestamp('expires_at', { withTimezone: true }).notNull(),
  updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
});

export const workers = pgTable('workers', {
  id: text('id').primaryKey(),
  hostname: text('hostname').notNull(),
  pid: integer('pid').notNull(),
  startedAt: timestamp('started_at', { withTimezone: true }).notNull().defaultNow(),
  heartbeatAt: timestamp('heartbeat_at', { withTimezone: true }).notNull().defaultNow(),
});

export const stores = pgTable('stores', {
  id: text('id').primaryKey(),
  accountId: text('account_id')
    .notNull()
    .references(() => accounts.id, { onDelete: 'cascade' }),
  platform: text('platform').notNull(),
  name: text('name').notNull(),
  whatsappNumberId: text('whatsapp_number_id').references(() => whatsappNumbers.id, { onDelete: 'set null' }),
  defaultCountry: text('default_country'),
  timezone: text('timezone').notNull().default('UTC'),
  language: text('language').notNull().default('ar'),
  settings: jsonb('settings').$type<Record<string, unknown>>().notNull().default({}),
  templates: jsonb('templates').$type<Record<string, unknown>>().notNull().default({}),
  ...timestamps,
});

export const orders = pgTable(
  'orders',
  {
    id: text('id').primaryKey(),
    accountId: text('account_id')
      .notNull()
      .references(() => accounts.id, { onDelete: 'cascade' }),
    storeId: text('store_id')
      .notNull()
      .references(() => stores.id, { onDelete: 'cascade' }),
    platform: text('platform').notNull(),
    externalId: text('external_id').notNull(),
    number: text('number').notNull(),
    /** Short code the customer can quote in a message to confirm this order. */
    code: text('code').notNull(),
    status: text('status').notNull(),
    failureReason: text('failure_reason'),
    platformCreatedAt: timestamp('platform_created_at', { withTimezone: true }).notNull(),
    currency: text('currency').notNull(),
    total: text('total').notNull(),
    isCod: boolean('is_cod').notNull(),
    locale: text('locale'),
    paymentMethod: text('payment_method'),
    customerName: text('customer_name'),
    customerPhone: text('customer_phone'),
    /** The phone WhatsApp knows the customer by, when it differs (Mexico's +521... is +52...). */
    whatsappPhone: text('whatsapp_phone'),
    customerPhoneRaw: text('customer_phone_raw'),
    phoneProblem: text('phone_problem'),
    shippingAddress: jsonb('shipping_address').$type<Record<string, unknown> | null>(),
    items: jsonb('items').$type<unknown[]>().notNull().default([]),
    sendAt: timestamp('send_at', { withTimezone: true }),
    sentAt: timestamp('sent_at', { withTimezone: true }),
    repliedAt: timestamp('replied_at', { withTimezone: true }),
    remindersSent: integer('reminders_sent').notNull().default(0),
    /** W3C traceparent of the order's trace (its webhook's span), while tracing is on. */
    traceParent: text('trace_parent'),
    ...timestamps,
  },
  (table) => [
    uniqueIndex('orders_store_external').on(table.storeId, table.externalId),
    index('orders_account_created').on(table.accountId, table.createdAt, table.id),
    index('orders_created').on(table.createdAt),
  ],
);

export const messages = pgTable(
  'messages',
  {
    id: text('id').primaryKey(),
    accountId: text('account_id')
      .notNull()
      .references(() => accounts.id, { onDelete: 'cascade' }),
    orderId: text('order_id').references(() => orders.id, { onDelete: 'cascade' }),
    numberId: text('number_id'),
    direction: text('direction').notNull(),
    kind: text('kind').notNull(),
    text: text('text'),
    status: text('status').notNull(),
    error: text('error'),
    providerMessageId: text('provider_message_id'),
    customerPhone: text('customer_phone'),
    sentAt: timestamp('sent_at', { withTimezone: true }),
    sendAfter: timestamp('send_after', { withTimezone: true }),
    template: jsonb('template').$type<{ name: string; languageCode: string; bodyParameters: string[] } | null>(),
    attempts: integer('attempts').notNull().default(0),
    sendingToken: bigint('sending_token', { mode: 'number' }),
    deliveredAt: timestamp('delivered_at', { withTimezone: true }),
    readAt: timestamp('read_at', { withTimezone: true }),
    /** W3C traceparent of the span that queued the message (its send and receipts continue it), while tracing is on. */
    traceParent: text('trace_parent'),
    ...timestamps,
  },
  (table) => [
    index('messages_order').on(table.orderId, table.createdAt),
    uniqueIndex('messages_provider_unique').on(table.numberId, table.providerMessageId).where(sql`provider_message_id is not null`),
    index('messages_created').on(table.createdAt),
  ],
);

export const orderEvents = pgTable(
  'order_events',
  {
    id: text('id').primaryKey(),
    accountId: text('account_id')
      .notNull()
      .references(() => accounts.id, { onDelete: 'cascade' }),
    orderId: text('order_id')
      .notNull()
      .references(() => orders.id, { onDelete: 'cascade' }),
    status: text('status').notNull(),
    cause: text('cause').notNull(),
    at: timestamp('at', { withTimezone: true }).notNull().defaultNow(),
  },
  (table) => [index('order_events_order').on(table.orderId, table.at), index('order_events_at').on(table.at)],
);

export const creditLedger = pgTable(
  'credit_ledger',
  {
    id: text('id').primaryKey(),
    accountId: text('account_id')
      .notNull()
      .references(() => accounts.id, { onDelete: 'cascade' }),
    kind: text('kind').notNull(),
    credits: integer('credits').notNull(),
    reason: text('reason').notNull(),
    /** What caused the entry (invoice id, message id...); unique per kind so it is applied once. */
    reference: text('reference'),
    /** The store a consumption or its refund was for (migration 0011); null for grants and adjustments. */
    storeId: text('store_id'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (table) => [
    uniqueIndex('credit_ledger_reference')
      .on(table.accountId, table.kind, table.reference)
      .where(sql`reference is not null`),
    index('credit_ledger_account').on(table.accountId, table.createdAt),
  ],
);

export const schema = {
  accounts,
  users,
  authSessions,
  authIdentities,
  authVerifications,
  authRateLimits,
  apiKeys,
  credentials,
  whatsappNumbers,
  whatsappNumberEvents,
  whatsappAuthKeys,
  whatsappLeases,
  workers,
  stores,
  orders,
  messages,
  orderEvents,
  creditLedger,
};
