-- Live order streams (SSE) open on any api process, so AKKED_MAX_STREAMS holds per account across
-- processes (src/http/live-streams.ts). Each process renews its rows every 15 s; a row whose
-- process died expires after 45 s.
CREATE TABLE live_streams (
  id text PRIMARY KEY,
  account_id text NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
  expires_at timestamptz NOT NULL
);
CREATE INDEX live_streams_account ON live_streams (account_id, expires_at);
ALTER TABLE live_streams ENABLE ROW LEVEL SECURITY;
