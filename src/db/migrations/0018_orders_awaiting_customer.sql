-- Orders a 463 left waiting for the customer to write first (through the wa.me link) keep their
-- number connected for a while (src/whatsapp/session-manager.ts, BUSY_CONDITION), and inbound
-- messages are matched against them: both look them up per store.
CREATE INDEX "orders_awaiting_customer" ON "orders" ("store_id", "customer_phone", "updated_at") WHERE "status" = 'failed' AND "failure_reason" = 'reach_out_restricted';
