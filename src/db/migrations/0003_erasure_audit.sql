-- Every erasure leaves a record for the operator: which account, what kind, how many rows, when.
-- Never a phone, name, email or a hash of one.
CREATE TABLE "erasure_audit" (
  "id" text PRIMARY KEY NOT NULL,
  "account_id" text NOT NULL,
  "kind" text NOT NULL,
  "counts" jsonb NOT NULL,
  "at" timestamp with time zone DEFAULT now() NOT NULL
);
CREATE INDEX "erasure_audit_at" ON "erasure_audit" ("at");
CREATE INDEX "orders_account_phone" ON "orders" ("account_id", "customer_phone");
