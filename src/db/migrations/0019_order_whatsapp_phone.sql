-- The phone WhatsApp knows an order's customer by, when it differs from the order's (Mexico's
-- +521... is +52... on WhatsApp): messages go there and replies from it match the order.
ALTER TABLE orders ADD COLUMN whatsapp_phone text;
CREATE INDEX "orders_awaiting_reply_whatsapp_phone" ON "orders" ("store_id", "whatsapp_phone") WHERE "whatsapp_phone" IS NOT NULL AND "status" IN ('sent','delivered','read');
