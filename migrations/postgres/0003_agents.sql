-- The agent model: migrations/0003_agents.sql in PostgreSQL types. Full-text
-- search is an expression index (to_tsvector('simple', content)), so no
-- column is added that a copy of the rows would have to know about.

CREATE TABLE agents (
  slug           text PRIMARY KEY,
  name           text NOT NULL,
  description    text NOT NULL DEFAULT '',
  status         text NOT NULL DEFAULT 'active'
                 CHECK (status IN ('active', 'disabled', 'archived')),
  metadata       text CHECK (metadata IS NULL OR metadata::json IS NOT NULL),
  created_at     bigint NOT NULL,
  updated_at     bigint NOT NULL,
  last_active_at bigint
);

CREATE TABLE documents (
  agent      text NOT NULL REFERENCES agents (slug) ON DELETE CASCADE,
  name       text NOT NULL,
  version    integer NOT NULL CHECK (version >= 1),
  content    text NOT NULL,
  sha256     text NOT NULL,
  message    text,
  created_at bigint NOT NULL,
  PRIMARY KEY (agent, name, version)
);

ALTER TABLE sessions ADD COLUMN agent text REFERENCES agents (slug) ON DELETE CASCADE;
ALTER TABLE sessions ADD COLUMN parent_id text;
ALTER TABLE sessions ADD COLUMN forked_at bigint;
ALTER TABLE sessions ADD COLUMN expires_at bigint;
ALTER TABLE sessions ADD COLUMN last_message_at bigint;

-- Keyset pages; ids compare byte-wise (COLLATE "C"), as SQLite's BINARY does.
DROP INDEX sessions_by_state;
DROP INDEX sessions_by_created;
CREATE INDEX sessions_page ON sessions (created_at, (id COLLATE "C"));
CREATE INDEX sessions_by_state ON sessions (state, created_at, (id COLLATE "C"));
CREATE INDEX sessions_by_agent ON sessions (agent, created_at, (id COLLATE "C"));
CREATE INDEX sessions_expiring ON sessions (expires_at) WHERE expires_at IS NOT NULL;

ALTER TABLE messages ADD COLUMN edited_at bigint;

CREATE TABLE message_revisions (
  message_id bigint NOT NULL REFERENCES messages (id) ON DELETE CASCADE,
  revision   integer NOT NULL CHECK (revision >= 1),
  content    text NOT NULL,
  created_at bigint NOT NULL,
  PRIMARY KEY (message_id, revision)
);

CREATE INDEX messages_search ON messages USING GIN (to_tsvector('simple'::regconfig, content));
