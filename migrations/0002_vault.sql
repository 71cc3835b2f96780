-- The encrypted vault (docs/vault-format.md). One metadata row holds the
-- wrapped master key, its KDF parameters and the entry-set digest; every
-- version of every secret is one row of vault_entries (history = older rows).

CREATE TABLE vault_meta (
  id              INTEGER PRIMARY KEY CHECK (id = 1),
  vault_id        BLOB NOT NULL,
  format_version  INTEGER NOT NULL,
  kdf_id          TEXT NOT NULL,
  kdf_memory_kib  INTEGER NOT NULL,
  kdf_iterations  INTEGER NOT NULL,
  kdf_parallelism INTEGER NOT NULL,
  kdf_salt        BLOB NOT NULL,
  wrap_nonce      BLOB NOT NULL,
  wrapped_key     BLOB NOT NULL,
  generation      INTEGER NOT NULL,
  digest          BLOB NOT NULL,
  created_at      INTEGER NOT NULL,
  updated_at      INTEGER NOT NULL
) STRICT;

CREATE TABLE vault_entries (
  scope      TEXT NOT NULL,
  name       TEXT NOT NULL,
  version    INTEGER NOT NULL,
  nonce      BLOB NOT NULL,
  ciphertext BLOB NOT NULL,
  created_at INTEGER NOT NULL,
  PRIMARY KEY (scope, name, version)
) STRICT, WITHOUT ROWID;
