-- Sessions, messages and the job queue. Times are Unix epoch milliseconds.

CREATE TABLE sessions (
  id         TEXT PRIMARY KEY NOT NULL,
  channel    TEXT NOT NULL DEFAULT 'unknown',
  user_id    TEXT,
  state      TEXT NOT NULL DEFAULT 'active',
  metadata   TEXT CHECK (metadata IS NULL OR json_valid(metadata)),
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
) STRICT;

CREATE INDEX sessions_by_state ON sessions (state, created_at DESC);
CREATE INDEX sessions_by_created ON sessions (created_at DESC);

-- id is an INTEGER PRIMARY KEY so that insertion order survives VACUUM.
CREATE TABLE messages (
  id          INTEGER PRIMARY KEY,
  session_id  TEXT NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
  role        TEXT NOT NULL CHECK (role IN ('user', 'assistant', 'system', 'tool')),
  content     TEXT NOT NULL,
  token_count INTEGER CHECK (token_count IS NULL OR token_count >= 0),
  metadata    TEXT CHECK (metadata IS NULL OR json_valid(metadata)),
  created_at  INTEGER NOT NULL
) STRICT;

CREATE INDEX messages_by_session ON messages (session_id, id);

-- AUTOINCREMENT: a purged job's id is never handed out again.
CREATE TABLE jobs (
  id           INTEGER PRIMARY KEY AUTOINCREMENT,
  queue        TEXT NOT NULL,
  payload      TEXT NOT NULL CHECK (json_valid(payload)),
  status       TEXT NOT NULL DEFAULT 'pending'
               CHECK (status IN ('pending', 'processing', 'completed', 'failed')),
  priority     INTEGER NOT NULL DEFAULT 0,
  attempts     INTEGER NOT NULL DEFAULT 0 CHECK (attempts >= 0),
  max_attempts INTEGER NOT NULL DEFAULT 3 CHECK (max_attempts >= 1),
  dedupe_key   TEXT,
  run_at       INTEGER NOT NULL,
  locked_until INTEGER,
  lease_token  TEXT,
  last_error   TEXT,
  created_at   INTEGER NOT NULL,
  updated_at   INTEGER NOT NULL
) STRICT;

-- The next due job: highest priority, then oldest.
CREATE INDEX jobs_pending ON jobs (queue, priority DESC, id) WHERE status = 'pending';
-- Leases to reclaim once their worker has died.
CREATE INDEX jobs_leased ON jobs (queue, locked_until) WHERE status = 'processing';
-- Purging by age. Only finished jobs: an index on every status would be
-- rewritten on each claim and ack, the queue's hot path.
CREATE INDEX jobs_finished ON jobs (updated_at) WHERE status IN ('completed', 'failed');
-- A dedupe key is unique among the jobs still to run.
CREATE UNIQUE INDEX jobs_dedupe ON jobs (queue, dedupe_key)
  WHERE dedupe_key IS NOT NULL AND status IN ('pending', 'processing');
