-- How far the reconciliation job (ingest/reconcile-woocommerce-job.ts) has listed a store's orders
-- through the platform's API: the next run lists orders created after this instant. Null until the
-- first run. A column of its own, because store settings are rewritten from their schema on every
-- update and would drop an unknown key.
ALTER TABLE "stores" ADD COLUMN "reconciled_until" timestamp with time zone;
