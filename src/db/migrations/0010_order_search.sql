-- Orders search (number, customer name, phone) stays fast at any size: a trigram index serves
-- `ilike '%term%'`, which a btree cannot. Where pg_trgm already lives in another schema (Supabase
-- installs extensions in `extensions`), the index uses that schema's operator class.
CREATE EXTENSION IF NOT EXISTS pg_trgm WITH SCHEMA public;

DO $$
DECLARE
  trigram_schema text;
BEGIN
  SELECT namespace.nspname INTO trigram_schema
  FROM pg_extension extension JOIN pg_namespace namespace ON namespace.oid = extension.extnamespace
  WHERE extension.extname = 'pg_trgm';
  EXECUTE format(
    'CREATE INDEX "orders_search" ON "orders" USING gin ((number || '' '' || coalesce(customer_name, '''') || '' '' || coalesce(customer_phone, '''')) %I.gin_trgm_ops)',
    trigram_schema
  );
END $$;
