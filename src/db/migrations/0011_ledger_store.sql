-- The store a consumption (or its refund) was for, so analytics can count a store's credits
-- without joining every ledger entry to its message and order. Entries that are not about one
-- store (grants, top-ups, adjustments) keep null.
ALTER TABLE "credit_ledger" ADD COLUMN "store_id" text;

UPDATE "credit_ledger" ledger SET "store_id" = orders."store_id"
FROM "messages" messages JOIN "orders" orders ON orders."id" = messages."order_id"
WHERE ledger."kind" IN ('consumption', 'refund') AND messages."id" = ledger."reference";
