// The vault's SQL on SQLite: a sync Store under the async VaultRows. Writes
// run in one durable BEGIN IMMEDIATE transaction (the write lock is the
// metadata's lock); `via` lets the SQLite Client queue each call on its mutex.

import type { Database } from "bun:sqlite";
import type { StoreCore } from "../store/core.ts";
import { fromSqliteError, isSqliteError } from "../store/sqlite-errors.ts";
import { compareEntries } from "./digest.ts";
import type { NewMeta, Resealer, VaultPlan, VaultRows } from "./engine.ts";
import { HISTORY_LIMIT, KDF_ID, VAULT_FORMAT_VERSION } from "./format.ts";
import {
  type EntryRow,
  type MetaRow,
  malformedTables,
  parseEntries,
  parseMeta,
  type VaultState,
} from "./rows.ts";

export type Via = <T>(run: () => T) => Promise<T>;

const direct: Via = async (run) => run();

export class SqliteVaultRows implements VaultRows {
  constructor(
    private readonly store: StoreCore,
    private readonly via: Via = direct,
  ) {}

  meta(): Promise<MetaRow | undefined> {
    return this.via(() => this.store.read(() => readMeta(this.store.db)));
  }

  state(): Promise<{ meta: MetaRow | undefined; entries: EntryRow[] }> {
    const db = this.store.db;
    return this.via(() =>
      this.store.read(() => snapshot(db, () => ({ meta: readMeta(db), entries: readEntries(db) }))),
    );
  }

  insertMeta(m: NewMeta): Promise<boolean> {
    const { db } = this.store;
    return this.via(() =>
      this.store.write(
        () => {
          if (readMeta(db)) return false;
          const now = this.store.now();
          db.query(
            `INSERT INTO vault_meta (id, vault_id, format_version, kdf_id, kdf_memory_kib,
               kdf_iterations, kdf_parallelism, kdf_salt, wrap_nonce, wrapped_key, generation,
               digest, created_at, updated_at)
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
            now,
            now,
          );
          return true;
        },
        { durable: true },
      ),
    );
  }

  apply(generation: number, plan: VaultPlan, reseal: Resealer): Promise<VaultState | undefined> {
    return this.via(() =>
      this.store.write(() => this.applyNow(generation, plan, reseal), { durable: true }),
    );
  }

  scrubWal(): Promise<boolean> {
    return this.via(() => {
      try {
        const row = this.store.db.query("PRAGMA wal_checkpoint(TRUNCATE)").get() as {
          busy: number;
        };
        return row.busy === 0;
      } catch (err) {
        throw fromSqliteError(err, "WAL checkpoint"); // EIO, ENOSPC: exit 7, not an internal error
      }
    });
  }

  private applyNow(generation: number, plan: VaultPlan, reseal: Resealer): VaultState | undefined {
    const { db } = this.store;
    const meta = readMeta(db);
    if (!meta || meta.generation !== generation) return undefined;
    const now = this.store.now();
    const insert = db.query(
      "INSERT INTO vault_entries (scope, name, version, nonce, ciphertext, created_at) VALUES (?, ?, ?, ?, ?, ?)",
    );
    for (const r of plan.insert ?? []) {
      insert.run(r.scope, r.name, r.version, r.nonce, r.ciphertext, now);
    }
    const update = db.query(
      "UPDATE vault_entries SET nonce = ?, ciphertext = ? WHERE scope = ? AND name = ? AND version = ?",
    );
    for (const r of plan.update ?? [])
      update.run(r.nonce, r.ciphertext, r.scope, r.name, r.version);
    const prune = db.query(
      `DELETE FROM vault_entries WHERE scope = ?1 AND name = ?2 AND version <=
         (SELECT max(version) FROM vault_entries WHERE scope = ?1 AND name = ?2) - ?3`,
    );
    for (const k of plan.prune ?? []) prune.run(k.scope, k.name, HISTORY_LIMIT);
    const remove = db.query("DELETE FROM vault_entries WHERE scope = ? AND name = ?");
    for (const k of plan.remove ?? []) remove.run(k.scope, k.name);
    if (plan.wrappedKey) {
      db.query("UPDATE vault_meta SET wrap_nonce = ?, wrapped_key = ? WHERE id = 1").run(
        plan.wrappedKey.nonce,
        plan.wrappedKey.ciphertext,
      );
    }
    if (plan.wrap) {
      const { params, salt, wrapped } = plan.wrap;
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
    // Every row here is one this writer verified or just wrote: read back as stored.
    const entries = db.query(ENTRIES_SQL).all() as EntryRow[];
    const next = generation + 1;
    db.query("UPDATE vault_meta SET generation = ?, digest = ?, updated_at = ? WHERE id = 1").run(
      next,
      reseal(next, entries),
      now,
    );
    return { meta: readMeta(db) as MetaRow, entries: entries.sort(compareEntries) };
  }
}

const ENTRIES_SQL =
  "SELECT scope, name, version, nonce, ciphertext, created_at FROM vault_entries ORDER BY scope, name, version";

function vaultTablesExist(db: Database): boolean {
  const row = db
    .query("SELECT count(*) AS n FROM sqlite_schema WHERE type = 'table' AND name = 'vault_meta'")
    .get() as { n: number };
  return row.n > 0;
}

/** The metadata row of a SQLite database (a store or a backup file), validated. */
export function readMeta(db: Database): MetaRow | undefined {
  if (!vaultTablesExist(db)) return undefined;
  const rows = guarded(() => db.query("SELECT * FROM vault_meta").all());
  if (rows.length > 0) return parseMeta(rows, 0);
  const { n } = guarded(() => db.query("SELECT count(*) AS n FROM vault_entries").get()) as {
    n: number;
  };
  return parseMeta([], n);
}

export function readEntries(db: Database): EntryRow[] {
  return parseEntries(guarded(() => db.query(ENTRIES_SQL).all()));
}

/** Runs reads in one deferred transaction, so meta and entries come from one snapshot. */
export function snapshot<T>(db: Database, fn: () => T): T {
  if (db.inTransaction) return fn();
  return db.transaction(fn).deferred();
}

function guarded<T>(fn: () => T): T {
  try {
    return fn();
  } catch (err) {
    if (isSqliteError(err) && /no such (table|column)/.test(err.message)) {
      throw malformedTables(err.message, err);
    }
    throw err;
  }
}
