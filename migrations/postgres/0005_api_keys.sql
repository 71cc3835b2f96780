-- API keys of `coffer serve` (SPEC §13, seed 002's api_keys): only the SHA-256
-- of a key is kept, with its name, its rules (comma separated) and its times.

CREATE TABLE api_keys (
  name         text PRIMARY KEY,
  key_hash     text NOT NULL UNIQUE,
  rules        text NOT NULL DEFAULT '',
  created_at   bigint NOT NULL,
  last_used_at bigint,
  expires_at   bigint
);
