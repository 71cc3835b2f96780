// The vault's SQL writes, each run inside a transaction the caller holds.

import type { Database } from "bun:sqlite";
import type { Sealed } from "./aead.ts";
import { HISTORY_LIMIT, KDF_ID, type KdfParams, VAULT_FORMAT_VERSION } from "./format.ts";
import type { EntryRow } from "./rows.ts";

export interface NewMeta {
  vaultId: Uint8Array;
  params: KdfParams;
  salt: Uint8Array;
  wrapped: Sealed;
  digest: Uint8Array;
  now: number;
}

export function insertMeta(db: Database, m: NewMeta): void {
  db.query(
    `INSERT INTO vault_meta (id, vault_id, format_version, kdf_id, kdf_memory_kib, kdf_iterations,
       kdf_parallelism, kdf_salt, wrap_nonce, wrapped_key, generation, digest, created_at, updated_at)
     VALUES (1, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0, ?, ?, ?)`,
  ).run(
    m.vaultId,
    VAULT_FORMAT_VERSION,
    KDF_ID,
    m.params.memoryKiB,
    m.params.iterations,
    m.params.parallelism,
    m.salt,
    m.wrapped.nonce,
    m.wrapped.ciphertext,
    m.digest,
    m.now,
    m.now,
  );
}

export function insertEntry(db: Database, row: EntryRow): void {
  db.query(
    "INSERT INTO vault_entries (scope, name, version, nonce, ciphertext, created_at) VALUES (?, ?, ?, ?, ?, ?)",
  ).run(row.scope, row.name, row.version, row.nonce, row.ciphertext, row.created_at);
}

export function updateEntry(db: Database, row: EntryRow): void {
  db.query(
    "UPDATE vault_entries SET nonce = ?, ciphertext = ? WHERE scope = ? AND name = ? AND version = ?",
  ).run(row.nonce, row.ciphertext, row.scope, row.name, row.version);
}

/** Keeps the newest HISTORY_LIMIT versions of one secret. */
export function pruneHistory(db: Database, scope: string, name: string): void {
  db.query(
    `DELETE FROM vault_entries WHERE scope = ?1 AND name = ?2 AND version <=
       (SELECT max(version) FROM vault_entries WHERE scope = ?1 AND name = ?2) - ?3`,
  ).run(scope, name, HISTORY_LIMIT);
}

export function deleteSecret(db: Database, scope: string, name: string): void {
  db.query("DELETE FROM vault_entries WHERE scope = ? AND name = ?").run(scope, name);
}

/** A new wrapped master key under the same key-encryption key (rotate). */
export function setWrappedKey(db: Database, wrapped: Sealed): void {
  db.query("UPDATE vault_meta SET wrap_nonce = ?, wrapped_key = ? WHERE id = 1").run(
    wrapped.nonce,
    wrapped.ciphertext,
  );
}

/** A new passphrase: new KDF parameters, salt and wrapped key (passwd). */
export function setWrap(db: Database, params: KdfParams, salt: Uint8Array, wrapped: Sealed): void {
  db.query(
    `UPDATE vault_meta SET kdf_id = ?, kdf_memory_kib = ?, kdf_iterations = ?,
       kdf_parallelism = ?, kdf_salt = ?, wrap_nonce = ?, wrapped_key = ? WHERE id = 1`,
  ).run(
    KDF_ID,
    params.memoryKiB,
    params.iterations,
    params.parallelism,
    salt,
    wrapped.nonce,
    wrapped.ciphertext,
  );
}

export function setSeal(db: Database, generation: number, digest: Uint8Array, now: number): void {
  db.query("UPDATE vault_meta SET generation = ?, digest = ?, updated_at = ? WHERE id = 1").run(
    generation,
    digest,
    now,
  );
}
