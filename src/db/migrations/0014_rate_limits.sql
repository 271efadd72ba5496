-- Rate-limit counters shared by every api process (src/http/rate-limit-counters.ts). A key is the
-- limiter's name and a hash of what it counts (an address, an API key id, a store id), never the
-- value itself; a row lives until its window ends and is then deleted.
CREATE TABLE rate_limits (
  key text PRIMARY KEY,
  hits integer NOT NULL,
  expires_at timestamptz NOT NULL
);
CREATE INDEX rate_limits_expires_at ON rate_limits (expires_at);
ALTER TABLE rate_limits ENABLE ROW LEVEL SECURITY;
