-- Every table of Akked's schema refuses every role but its owner (Akked itself, which bypasses
-- row-level security as owner): with RLS on and no policy, a Supabase Data API key reads and
-- writes nothing even if an operator exposes the schema. New tables enable it in their migration
-- (a test fails on any table without it).
DO $$
DECLARE
  akked_table record;
  api_role text;
BEGIN
  FOR akked_table IN
    SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
    WHERE n.nspname = current_schema() AND c.relkind IN ('r', 'p')
  LOOP
    EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', akked_table.relname);
  END LOOP;
  -- Tables moved out of Supabase's `public` keep the grants its default privileges gave the Data
  -- API roles; RLS does not cover TRUNCATE or REFERENCES, so those grants go.
  FOREACH api_role IN ARRAY ARRAY['anon', 'authenticated'] LOOP
    IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = api_role) THEN
      EXECUTE format('REVOKE ALL ON ALL TABLES IN SCHEMA %I FROM %I', current_schema(), api_role);
    END IF;
  END LOOP;
END $$;
