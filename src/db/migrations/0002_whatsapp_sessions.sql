-- Linking state shown to the merchant (QR, pairing code): short-lived but able to link a device,
-- so encrypted like every other credential.
ALTER TABLE "whatsapp_numbers" ADD COLUMN "qr_envelope" text;
ALTER TABLE "whatsapp_numbers" ADD COLUMN "pairing_code_envelope" text;
ALTER TABLE "whatsapp_numbers" ADD COLUMN "link_updated_at" timestamp with time zone;
-- Pacing survives a takeover by another worker.
ALTER TABLE "whatsapp_numbers" ADD COLUMN "last_sent_at" timestamp with time zone;
ALTER TABLE "whatsapp_numbers" ADD COLUMN "sent_today" integer DEFAULT 0 NOT NULL;
ALTER TABLE "whatsapp_numbers" ADD COLUMN "sent_today_date" date;
ALTER TABLE "whatsapp_numbers" ADD COLUMN "last_activity_at" timestamp with time zone;

-- Outbound messages wait here until the worker that holds the number's lease sends them.
ALTER TABLE "messages" ADD COLUMN "send_after" timestamp with time zone;
ALTER TABLE "messages" ADD COLUMN "attempts" integer DEFAULT 0 NOT NULL;
ALTER TABLE "messages" ADD COLUMN "sending_token" bigint;
ALTER TABLE "messages" DROP CONSTRAINT "messages_status_known";
ALTER TABLE "messages" ADD CONSTRAINT "messages_status_known" CHECK ("status" IN
  ('queued','sending','sent','delivered','read','failed','received'));
CREATE INDEX "messages_outbox" ON "messages" ("number_id", "send_after") WHERE "status" IN ('queued', 'sending');
CREATE UNIQUE INDEX "messages_provider_unique" ON "messages" ("number_id", "provider_message_id") WHERE "provider_message_id" IS NOT NULL;
DROP INDEX IF EXISTS "messages_provider_id";
CREATE INDEX "whatsapp_leases_owner" ON "whatsapp_leases" ("owner_id");
