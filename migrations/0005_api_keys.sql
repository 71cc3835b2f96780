-- API keys of `coffer serve` (SPEC §13, seed 002's api_keys): only the SHA-256
-- of a key is kept, with its name, its rules (comma separated) and its times.

CREATE TABLE api_keys (
  name         TEXT PRIMARY KEY NOT NULL,
  key_hash     TEXT NOT NULL UNIQUE,
  rules        TEXT NOT NULL DEFAULT '',
  created_at   INTEGER NOT NULL,
  last_used_at INTEGER,
  expires_at   INTEGER
) STRICT;
