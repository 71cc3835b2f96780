// Applies pending migrations in one transaction and refuses a store whose
// schema is newer than this binary or whose applied migrations were edited.

import type { Database } from "bun:sqlite";
import { IntegrityError } from "../errors.ts";
import { migrations as bundled, type Migration } from "./migrations.ts";
import { writeTransaction } from "./tx.ts";

/** Marks the file as coffer's in its header: "Cofr". */
export const APPLICATION_ID = 0x436f6672;

const HISTORY_TABLE = `CREATE TABLE IF NOT EXISTS coffer_migrations (
  version    INTEGER PRIMARY KEY,
  name       TEXT NOT NULL,
  checksum   TEXT NOT NULL,
  applied_at INTEGER NOT NULL
) STRICT`;

export function checksum(sql: string): string {
  return new Bun.CryptoHasher("sha256").update(sql).digest("hex");
}

/** Set by scripts/build.ts in the binary: the bundled migrations' checksums, comma-separated. */
declare const COFFER_MIGRATION_CHECKSUMS: string | undefined;

/** The bundled migrations' checksums when built into the binary; run from source, none. */
export const BUNDLED_CHECKSUMS: readonly string[] | undefined =
  typeof COFFER_MIGRATION_CHECKSUMS === "string"
    ? COFFER_MIGRATION_CHECKSUMS.split(",")
    : undefined;

/** The checksum of migration `index` of `list`: built in for the bundled list, else computed. */
function checksumAt(list: readonly Migration[], index: number): string {
  const built = list === bundled && BUNDLED_CHECKSUMS ? BUNDLED_CHECKSUMS[index] : undefined;
  return built ?? checksum((list[index] as Migration).sql);
}

export function schemaVersion(db: Database): number {
  return (db.query("PRAGMA user_version").get() as { user_version: number }).user_version;
}

export interface MigrateOptions {
  migrations?: readonly Migration[];
  busyTimeoutMs?: number;
  now?: () => number;
}

/** Brings `db` up to the newest schema this binary knows; returns the version reached. */
export function migrate(db: Database, options: MigrateOptions = {}): number {
  const list = options.migrations ?? bundled;
  const latest = list.length;
  const now = options.now ?? Date.now;
  const current = schemaVersion(db);
  checkNotNewer(current, latest);
  if (current === latest) {
    readSnapshot(db, () => verifyHistory(db, schemaVersion(db), list));
    return current;
  }
  return writeTransaction(
    db,
    () => {
      // Another process may have migrated while we waited for the lock.
      const version = schemaVersion(db);
      checkNotNewer(version, latest);
      if (version === 0) db.run(`PRAGMA application_id = ${APPLICATION_ID}`);
      verifyHistory(db, version, list);
      db.run(HISTORY_TABLE);
      const record = db.query(
        "INSERT INTO coffer_migrations (version, name, checksum, applied_at) VALUES (?, ?, ?, ?)",
      );
      for (const [i, m] of list.entries()) {
        if (i < version) continue;
        db.run(m.sql);
        record.run(m.version, m.name, checksumAt(list, i), now());
      }
      db.run(`PRAGMA user_version = ${latest}`);
      return latest;
    },
    { busyTimeoutMs: options.busyTimeoutMs },
  );
}

/** Runs `fn` in one read transaction: user_version and the history from one snapshot. */
function readSnapshot(db: Database, fn: () => void): void {
  if (db.inTransaction) {
    fn();
    return;
  }
  db.run("BEGIN");
  try {
    fn();
  } finally {
    db.run("COMMIT");
  }
}

/**
 * For a store opened read-only: true when it is at this binary's schema with
 * an intact history, false when it needs migrating (which cannot happen read-only).
 */
export function isCurrent(db: Database, list: readonly Migration[] = bundled): boolean {
  let current = false;
  readSnapshot(db, () => {
    const version = schemaVersion(db);
    checkNotNewer(version, list.length);
    verifyHistory(db, version, list);
    current = version === list.length;
  });
  return current;
}

function checkNotNewer(version: number, latest: number): void {
  if (version > latest) {
    throw new IntegrityError(
      `store schema version ${version} is newer than this coffer supports (${latest})`,
      { hint: "upgrade coffer to open this store" },
    );
  }
}

interface AppliedRow {
  version: number;
  name: string;
  checksum: string;
}

/**
 * The store's record of what was applied must be exactly migrations 1..version
 * of this binary: a deleted, added or edited row, or a rolled-back
 * user_version, is refused rather than half-migrated over.
 */
function verifyHistory(db: Database, version: number, list: readonly Migration[]): void {
  const problem = historyProblem(db, version, list);
  if (problem) {
    throw new IntegrityError(`the store's migration history does not match: ${problem}`, {
      hint: "the store was edited outside coffer; restore it from a backup",
    });
  }
}

function historyProblem(db: Database, version: number, list: readonly Migration[]): string | null {
  const tables = db
    .query("SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")
    .all() as { name: string }[];
  const hasHistory = tables.some((t) => t.name === "coffer_migrations");
  if (!hasHistory) {
    if (version === 0 && tables.length === 0) return null; // a new store
    return `user_version is ${version} but the coffer_migrations table is missing`;
  }
  const applied = db
    .query("SELECT version, name, checksum FROM coffer_migrations ORDER BY version")
    .all() as AppliedRow[];
  for (const row of applied) {
    const known = list[row.version - 1];
    if (row.version > version || !known) {
      return `user_version is ${version} but migration ${row.version} (${row.name}) is recorded as applied`;
    }
    if (known.name !== row.name || checksumAt(list, row.version - 1) !== row.checksum) {
      return `migration ${row.version} (${row.name}) in the store does not match this coffer's (checksum mismatch)`;
    }
  }
  for (let v = 1; v <= version; v++) {
    if (!applied.some((row) => row.version === v)) {
      return `user_version is ${version} but migration ${v} (${list[v - 1]?.name ?? "unknown"}) is not recorded as applied`;
    }
  }
  return null;
}

export interface MigrationState {
  version: number;
  name: string;
  checksum: string;
  appliedAt: number | null;
}

/** Each migration this binary carries, with when it was applied to `db`. */
export function migrationStatus(
  db: Database,
  list: readonly Migration[] = bundled,
): MigrationState[] {
  const applied = new Map(
    (
      db.query("SELECT version, applied_at FROM coffer_migrations").all() as {
        version: number;
        applied_at: number;
      }[]
    ).map((r) => [r.version, r.applied_at]),
  );
  return list.map((m) => ({
    version: m.version,
    name: m.name,
    checksum: checksum(m.sql),
    appliedAt: applied.get(m.version) ?? null,
  }));
}
