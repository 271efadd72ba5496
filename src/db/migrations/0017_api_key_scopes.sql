-- API keys carry scopes (src/accounts/api-key-scopes.ts). Keys made before this could do anything
-- through the API; they keep everything but `admin`, so a leaked key can no longer create keys
-- (which would outlive its own revocation), manage billing or erase customers.
ALTER TABLE api_keys ADD COLUMN scopes text[] NOT NULL DEFAULT ARRAY['orders:read', 'orders:write', 'stores', 'numbers']::text[];
