-- Stripe webhook events already applied. An event's id is inserted in the same transaction as its
-- effects, so a redelivery (or ten concurrent deliveries) applies it once. No account id: the row
-- outlives an erased account and says nothing about it.
CREATE TABLE "stripe_events" (
  "id" text PRIMARY KEY NOT NULL,
  "type" text NOT NULL,
  "received_at" timestamp with time zone DEFAULT now() NOT NULL
);
CREATE INDEX "stripe_events_received" ON "stripe_events" ("received_at");

-- The account's Stripe invoices, for GET /api/v1/billing and the receipt email. Amounts are in the
-- currency's smallest unit, as Stripe sends them.
CREATE TABLE "invoices" (
  "id" text PRIMARY KEY NOT NULL,
  "account_id" text NOT NULL,
  "stripe_subscription_id" text,
  "amount_paid" bigint NOT NULL,
  "amount_due" bigint NOT NULL,
  "currency" text NOT NULL,
  "status" text NOT NULL,
  "hosted_invoice_url" text,
  "period_start" timestamp with time zone,
  "period_end" timestamp with time zone,
  -- Set when the receipt email is queued: one receipt per invoice, whatever the redeliveries.
  "receipt_queued_at" timestamp with time zone,
  "created_at" timestamp with time zone NOT NULL,
  "updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
ALTER TABLE "invoices" ADD CONSTRAINT "invoices_account_id_accounts_id_fk" FOREIGN KEY ("account_id") REFERENCES "accounts"("id") ON DELETE cascade ON UPDATE no action;
CREATE INDEX "invoices_account_created" ON "invoices" ("account_id", "created_at");

-- Stripe's `created` time of the latest event that changed the account's plan or subscription:
-- events arrive in any order, and an older one must not undo a newer one.
ALTER TABLE "accounts" ADD COLUMN "subscription_changed_at" timestamp with time zone;

-- "Credits low" is announced once per period: set when announced, cleared by the next grant.
ALTER TABLE "accounts" ADD COLUMN "low_credits_notified_at" timestamp with time zone;
CREATE INDEX "accounts_low_credits_unannounced" ON "accounts" ("credit_balance") WHERE "low_credits_notified_at" IS NULL;
CREATE UNIQUE INDEX "accounts_stripe_customer" ON "accounts" ("stripe_customer_id") WHERE "stripe_customer_id" IS NOT NULL;
CREATE INDEX "accounts_stripe_subscription" ON "accounts" ("stripe_subscription_id") WHERE "stripe_subscription_id" IS NOT NULL;
