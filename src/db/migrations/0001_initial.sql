CREATE TABLE "accounts" (
	"id" text PRIMARY KEY NOT NULL,
	"name" text NOT NULL,
	"plan" text DEFAULT 'free' NOT NULL,
	"credit_balance" integer DEFAULT 0 NOT NULL,
	"stripe_customer_id" text,
	"stripe_subscription_id" text,
	"no_credits_notified_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);

CREATE TABLE "api_keys" (
	"id" text PRIMARY KEY NOT NULL,
	"account_id" text NOT NULL,
	"name" text NOT NULL,
	"key_hash" text NOT NULL,
	"key_prefix" text NOT NULL,
	"created_by_user_id" text,
	"last_used_at" timestamp with time zone,
	"revoked_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "api_keys_key_hash_unique" UNIQUE("key_hash")
);

CREATE TABLE "auth_identities" (
	"id" text PRIMARY KEY NOT NULL,
	"provider_account_id" text NOT NULL,
	"provider_id" text NOT NULL,
	"user_id" text NOT NULL,
	"access_token" text,
	"refresh_token" text,
	"id_token" text,
	"access_token_expires_at" timestamp with time zone,
	"refresh_token_expires_at" timestamp with time zone,
	"scope" text,
	"password" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);

CREATE TABLE "auth_rate_limits" (
	"id" text PRIMARY KEY NOT NULL,
	"key" text NOT NULL,
	"count" integer NOT NULL,
	"last_request" bigint NOT NULL,
	CONSTRAINT "auth_rate_limits_key_unique" UNIQUE("key")
);

CREATE TABLE "auth_sessions" (
	"id" text PRIMARY KEY NOT NULL,
	"token" text NOT NULL,
	"user_id" text NOT NULL,
	"expires_at" timestamp with time zone NOT NULL,
	"ip_address" text,
	"user_agent" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "auth_sessions_token_unique" UNIQUE("token")
);

CREATE TABLE "auth_verifications" (
	"id" text PRIMARY KEY NOT NULL,
	"identifier" text NOT NULL,
	"value" text NOT NULL,
	"expires_at" timestamp with time zone NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);

CREATE TABLE "credentials" (
	"id" text PRIMARY KEY NOT NULL,
	"account_id" text NOT NULL,
	"owner_id" text NOT NULL,
	"purpose" text NOT NULL,
	"envelope" text NOT NULL,
	"key_id" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);

CREATE TABLE "credit_ledger" (
	"id" text PRIMARY KEY NOT NULL,
	"account_id" text NOT NULL,
	"kind" text NOT NULL,
	"credits" integer NOT NULL,
	"reason" text NOT NULL,
	"reference" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);

CREATE TABLE "messages" (
	"id" text PRIMARY KEY NOT NULL,
	"account_id" text NOT NULL,
	"order_id" text,
	"number_id" text,
	"direction" text NOT NULL,
	"kind" text NOT NULL,
	"text" text,
	"status" text NOT NULL,
	"error" text,
	"provider_message_id" text,
	"customer_phone" text,
	"sent_at" timestamp with time zone,
	"delivered_at" timestamp with time zone,
	"read_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);

CREATE TABLE "order_events" (
	"id" text PRIMARY KEY NOT NULL,
	"account_id" text NOT NULL,
	"order_id" text NOT NULL,
	"status" text NOT NULL,
	"cause" text NOT NULL,
	"at" timestamp with time zone DEFAULT now() NOT NULL
);

CREATE TABLE "orders" (
	"id" text PRIMARY KEY NOT NULL,
	"account_id" text NOT NULL,
	"store_id" text NOT NULL,
	"platform" text NOT NULL,
	"external_id" text NOT NULL,
	"number" text NOT NULL,
	"code" text NOT NULL,
	"status" text NOT NULL,
	"failure_reason" text,
	"platform_created_at" timestamp with time zone NOT NULL,
	"currency" text NOT NULL,
	"total" text NOT NULL,
	"is_cod" boolean NOT NULL,
	"locale" text,
	"payment_method" text,
	"customer_name" text,
	"customer_phone" text,
	"customer_phone_raw" text,
	"phone_problem" text,
	"shipping_address" jsonb,
	"items" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"send_at" timestamp with time zone,
	"sent_at" timestamp with time zone,
	"replied_at" timestamp with time zone,
	"reminders_sent" integer DEFAULT 0 NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);

CREATE TABLE "stores" (
	"id" text PRIMARY KEY NOT NULL,
	"account_id" text NOT NULL,
	"platform" text NOT NULL,
	"name" text NOT NULL,
	"whatsapp_number_id" text,
	"default_country" text,
	"timezone" text DEFAULT 'UTC' NOT NULL,
	"language" text DEFAULT 'ar' NOT NULL,
	"settings" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"templates" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);

CREATE TABLE "users" (
	"id" text PRIMARY KEY NOT NULL,
	"name" text NOT NULL,
	"email" text NOT NULL,
	"email_verified" boolean DEFAULT false NOT NULL,
	"image" text,
	"account_id" text,
	"language" text DEFAULT 'en' NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "users_email_unique" UNIQUE("email")
);

CREATE TABLE "whatsapp_auth_keys" (
	"number_id" text NOT NULL,
	"type" text NOT NULL,
	"key_id" text NOT NULL,
	"envelope" text NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "whatsapp_auth_keys_number_id_type_key_id_pk" PRIMARY KEY("number_id","type","key_id")
);

CREATE TABLE "whatsapp_leases" (
	"number_id" text PRIMARY KEY NOT NULL,
	"owner_id" text NOT NULL,
	"fencing_token" bigint NOT NULL,
	"expires_at" timestamp with time zone NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);

CREATE TABLE "whatsapp_number_events" (
	"id" text PRIMARY KEY NOT NULL,
	"number_id" text NOT NULL,
	"status" text NOT NULL,
	"reason" text,
	"at" timestamp with time zone DEFAULT now() NOT NULL
);

CREATE TABLE "whatsapp_numbers" (
	"id" text PRIMARY KEY NOT NULL,
	"account_id" text NOT NULL,
	"provider" text NOT NULL,
	"phone" text,
	"status" text NOT NULL,
	"status_reason" text,
	"settings" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"linked_at" timestamp with time zone,
	"last_connected_at" timestamp with time zone,
	"wake_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);

CREATE TABLE "workers" (
	"id" text PRIMARY KEY NOT NULL,
	"hostname" text NOT NULL,
	"pid" integer NOT NULL,
	"started_at" timestamp with time zone DEFAULT now() NOT NULL,
	"heartbeat_at" timestamp with time zone DEFAULT now() NOT NULL
);

ALTER TABLE "api_keys" ADD CONSTRAINT "api_keys_account_id_accounts_id_fk" FOREIGN KEY ("account_id") REFERENCES "accounts"("id") ON DELETE cascade ON UPDATE no action;
ALTER TABLE "auth_identities" ADD CONSTRAINT "auth_identities_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE cascade ON UPDATE no action;
ALTER TABLE "auth_sessions" ADD CONSTRAINT "auth_sessions_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE cascade ON UPDATE no action;
ALTER TABLE "credentials" ADD CONSTRAINT "credentials_account_id_accounts_id_fk" FOREIGN KEY ("account_id") REFERENCES "accounts"("id") ON DELETE cascade ON UPDATE no action;
ALTER TABLE "credit_ledger" ADD CONSTRAINT "credit_ledger_account_id_accounts_id_fk" FOREIGN KEY ("account_id") REFERENCES "accounts"("id") ON DELETE cascade ON UPDATE no action;
ALTER TABLE "messages" ADD CONSTRAINT "messages_account_id_accounts_id_fk" FOREIGN KEY ("account_id") REFERENCES "accounts"("id") ON DELETE cascade ON UPDATE no action;
ALTER TABLE "messages" ADD CONSTRAINT "messages_order_id_orders_id_fk" FOREIGN KEY ("order_id") REFERENCES "orders"("id") ON DELETE cascade ON UPDATE no action;
ALTER TABLE "order_events" ADD CONSTRAINT "order_events_account_id_accounts_id_fk" FOREIGN KEY ("account_id") REFERENCES "accounts"("id") ON DELETE cascade ON UPDATE no action;
ALTER TABLE "order_events" ADD CONSTRAINT "order_events_order_id_orders_id_fk" FOREIGN KEY ("order_id") REFERENCES "orders"("id") ON DELETE cascade ON UPDATE no action;
ALTER TABLE "orders" ADD CONSTRAINT "orders_account_id_accounts_id_fk" FOREIGN KEY ("account_id") REFERENCES "accounts"("id") ON DELETE cascade ON UPDATE no action;
ALTER TABLE "orders" ADD CONSTRAINT "orders_store_id_stores_id_fk" FOREIGN KEY ("store_id") REFERENCES "stores"("id") ON DELETE cascade ON UPDATE no action;
ALTER TABLE "stores" ADD CONSTRAINT "stores_account_id_accounts_id_fk" FOREIGN KEY ("account_id") REFERENCES "accounts"("id") ON DELETE cascade ON UPDATE no action;
ALTER TABLE "stores" ADD CONSTRAINT "stores_whatsapp_number_id_whatsapp_numbers_id_fk" FOREIGN KEY ("whatsapp_number_id") REFERENCES "whatsapp_numbers"("id") ON DELETE set null ON UPDATE no action;
ALTER TABLE "users" ADD CONSTRAINT "users_account_id_accounts_id_fk" FOREIGN KEY ("account_id") REFERENCES "accounts"("id") ON DELETE cascade ON UPDATE no action;
ALTER TABLE "whatsapp_auth_keys" ADD CONSTRAINT "whatsapp_auth_keys_number_id_whatsapp_numbers_id_fk" FOREIGN KEY ("number_id") REFERENCES "whatsapp_numbers"("id") ON DELETE cascade ON UPDATE no action;
ALTER TABLE "whatsapp_leases" ADD CONSTRAINT "whatsapp_leases_number_id_whatsapp_numbers_id_fk" FOREIGN KEY ("number_id") REFERENCES "whatsapp_numbers"("id") ON DELETE cascade ON UPDATE no action;
ALTER TABLE "whatsapp_number_events" ADD CONSTRAINT "whatsapp_number_events_number_id_whatsapp_numbers_id_fk" FOREIGN KEY ("number_id") REFERENCES "whatsapp_numbers"("id") ON DELETE cascade ON UPDATE no action;
ALTER TABLE "whatsapp_numbers" ADD CONSTRAINT "whatsapp_numbers_account_id_accounts_id_fk" FOREIGN KEY ("account_id") REFERENCES "accounts"("id") ON DELETE cascade ON UPDATE no action;
CREATE UNIQUE INDEX "credentials_owner_purpose" ON "credentials" USING btree ("owner_id","purpose");
CREATE UNIQUE INDEX "credit_ledger_reference" ON "credit_ledger" USING btree ("account_id","kind","reference") WHERE reference is not null;
CREATE INDEX "credit_ledger_account" ON "credit_ledger" USING btree ("account_id","created_at");
CREATE INDEX "messages_order" ON "messages" USING btree ("order_id","created_at");
CREATE INDEX "messages_provider_id" ON "messages" USING btree ("number_id","provider_message_id");
CREATE INDEX "messages_created" ON "messages" USING btree ("created_at");
CREATE INDEX "order_events_order" ON "order_events" USING btree ("order_id","at");
CREATE INDEX "order_events_at" ON "order_events" USING btree ("at");
CREATE UNIQUE INDEX "orders_store_external" ON "orders" USING btree ("store_id","external_id");
CREATE INDEX "orders_account_created" ON "orders" USING btree ("account_id","created_at","id");
CREATE INDEX "orders_created" ON "orders" USING btree ("created_at");
CREATE INDEX "whatsapp_number_events_number" ON "whatsapp_number_events" USING btree ("number_id","at");
-- The balance is the ledger's sum, cached on the account row so a consumption is one guarded update.
ALTER TABLE "accounts" ADD CONSTRAINT "accounts_credit_balance_not_negative" CHECK ("credit_balance" >= 0);
ALTER TABLE "orders" ADD CONSTRAINT "orders_status_known" CHECK ("status" IN
  ('received','queued','sent','delivered','read','confirmed','cancelled','no_response','skipped','failed'));
ALTER TABLE "messages" ADD CONSTRAINT "messages_status_known" CHECK ("status" IN
  ('queued','sent','delivered','read','failed','received'));
ALTER TABLE "whatsapp_numbers" ADD CONSTRAINT "whatsapp_numbers_status_known" CHECK ("status" IN
  ('pending_link','connected','hibernated','disconnected','logged_out','banned'));
CREATE INDEX "orders_account_status_created" ON "orders" ("account_id", "status", "created_at");
CREATE INDEX "orders_awaiting_reply" ON "orders" ("store_id", "customer_phone") WHERE "status" IN ('sent','delivered','read');
CREATE INDEX "stores_account" ON "stores" ("account_id");
CREATE INDEX "whatsapp_numbers_account" ON "whatsapp_numbers" ("account_id");
CREATE INDEX "api_keys_account" ON "api_keys" ("account_id");
CREATE INDEX "auth_sessions_user" ON "auth_sessions" ("user_id");
CREATE INDEX "auth_identities_user" ON "auth_identities" ("user_id");
CREATE INDEX "auth_verifications_identifier" ON "auth_verifications" ("identifier");
CREATE INDEX "users_account" ON "users" ("account_id");
