-- The encrypted vault (docs/vault-format.md): migrations/0002_vault.sql in
-- PostgreSQL types. The server stores only what the SQLite tables store; the
-- passphrase, the KDF and every key stay in the client. Writers lock the one
-- vault_meta row (SELECT … FOR UPDATE) so digest and generation stay consistent.

CREATE TABLE vault_meta (
  id              integer PRIMARY KEY CHECK (id = 1),
  vault_id        bytea NOT NULL,
  format_version  integer NOT NULL,
  kdf_id          text NOT NULL,
  kdf_memory_kib  integer NOT NULL,
  kdf_iterations  integer NOT NULL,
  kdf_parallelism integer NOT NULL,
  kdf_salt        bytea NOT NULL,
  wrap_nonce      bytea NOT NULL,
  wrapped_key     bytea NOT NULL,
  generation      bigint NOT NULL,
  digest          bytea NOT NULL,
  created_at      bigint NOT NULL,
  updated_at      bigint NOT NULL
);

CREATE TABLE vault_entries (
  scope      text NOT NULL,
  name       text NOT NULL,
  version    bigint NOT NULL,
  nonce      bytea NOT NULL,
  ciphertext bytea NOT NULL,
  created_at bigint NOT NULL,
  PRIMARY KEY (scope, name, version)
);
