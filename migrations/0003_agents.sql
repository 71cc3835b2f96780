-- The agent model (SPEC §11): agents, their versioned documents, sessions that
-- belong to an agent, fork and expire, message revisions, and full-text search.

-- The slug is also the agent's secret scope (the vault's scope alphabet).
CREATE TABLE agents (
  slug           TEXT PRIMARY KEY NOT NULL,
  name           TEXT NOT NULL,
  description    TEXT NOT NULL DEFAULT '',
  status         TEXT NOT NULL DEFAULT 'active'
                 CHECK (status IN ('active', 'disabled', 'archived')),
  metadata       TEXT CHECK (metadata IS NULL OR json_valid(metadata)),
  created_at     INTEGER NOT NULL,
  updated_at     INTEGER NOT NULL,
  last_active_at INTEGER
) STRICT;

-- Every version is kept; sha256 is the hex digest of the content's UTF-8 bytes.
CREATE TABLE documents (
  agent      TEXT NOT NULL REFERENCES agents (slug) ON DELETE CASCADE,
  name       TEXT NOT NULL,
  version    INTEGER NOT NULL CHECK (version >= 1),
  content    TEXT NOT NULL,
  sha256     TEXT NOT NULL,
  message    TEXT,
  created_at INTEGER NOT NULL,
  PRIMARY KEY (agent, name, version)
) STRICT;

ALTER TABLE sessions ADD COLUMN agent TEXT REFERENCES agents (slug) ON DELETE CASCADE;
-- No foreign key: a fork keeps naming its parent after the parent is gone.
ALTER TABLE sessions ADD COLUMN parent_id TEXT;
ALTER TABLE sessions ADD COLUMN forked_at INTEGER;
ALTER TABLE sessions ADD COLUMN expires_at INTEGER;
ALTER TABLE sessions ADD COLUMN last_message_at INTEGER;

-- Keyset pages: (created_at, id) descending, alone or after an agent or a state.
DROP INDEX sessions_by_state;
DROP INDEX sessions_by_created;
CREATE INDEX sessions_page ON sessions (created_at, id);
CREATE INDEX sessions_by_state ON sessions (state, created_at, id);
CREATE INDEX sessions_by_agent ON sessions (agent, created_at, id);
CREATE INDEX sessions_expiring ON sessions (expires_at) WHERE expires_at IS NOT NULL;

ALTER TABLE messages ADD COLUMN edited_at INTEGER;

-- A message's earlier contents, oldest first; revision 1 is the original.
CREATE TABLE message_revisions (
  message_id INTEGER NOT NULL REFERENCES messages (id) ON DELETE CASCADE,
  revision   INTEGER NOT NULL CHECK (revision >= 1),
  content    TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  PRIMARY KEY (message_id, revision)
) STRICT;

-- Full-text index over messages.content (external content: the text is stored
-- once), kept in step by triggers inside every writing transaction, cascades
-- included. Plain SQL triggers run under trusted_schema=OFF.
CREATE VIRTUAL TABLE messages_fts USING fts5(
  content, content='messages', content_rowid='id', tokenize='unicode61'
);

CREATE TRIGGER messages_fts_insert AFTER INSERT ON messages BEGIN
  INSERT INTO messages_fts (rowid, content) VALUES (new.id, new.content);
END;

CREATE TRIGGER messages_fts_delete AFTER DELETE ON messages BEGIN
  INSERT INTO messages_fts (messages_fts, rowid, content) VALUES ('delete', old.id, old.content);
END;

CREATE TRIGGER messages_fts_update AFTER UPDATE OF content ON messages BEGIN
  INSERT INTO messages_fts (messages_fts, rowid, content) VALUES ('delete', old.id, old.content);
  INSERT INTO messages_fts (rowid, content) VALUES (new.id, new.content);
END;
