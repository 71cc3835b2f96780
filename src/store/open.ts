// The one place a store file is opened: creates it with safe modes, sets and
// checks every PRAGMA, verifies the file is coffer's and migrates it.

import { Database } from "bun:sqlite";
import { statSync } from "node:fs";
import { IntegrityError, IoError, NotFoundError, UsageError } from "../errors.ts";
import { ensureParentDir, ensurePrivateFile, fsError } from "./files.ts";
import { APPLICATION_ID, migrate } from "./migrate.ts";
import type { Migration } from "./migrations.ts";
import { fileIdentity, replacedDuringOpen } from "./replaced.ts";
import { fromSqliteError } from "./sqlite-errors.ts";
import { DEFAULT_BUSY_TIMEOUT_MS, retryWhileBusy, type SynchronousLevel } from "./tx.ts";

export interface OpenOptions {
  path: string;
  /** Create the file (and its parents) when missing. Default true. */
  create?: boolean | undefined;
  synchronous?: SynchronousLevel | undefined;
  busyTimeoutMs?: number | undefined;
  /** Tests only: another migration list. */
  migrations?: readonly Migration[] | undefined;
  now?: (() => number) | undefined;
}

export function openDatabase(options: OpenOptions): Database {
  const { path } = options;
  if (path === ":memory:" || path === "") {
    throw new UsageError("the store must be a file, not an in-memory database");
  }
  prepareFile(path, options.create ?? true);
  const opened = fileIdentity(path); // a restore racing this open is a conflict, see replaced.ts
  let db: Database;
  try {
    db = new Database(path, { readwrite: true, create: false, strict: true });
  } catch (err) {
    throw replacedDuringOpen(path, opened) ?? fromSqliteError(err, `open ${path}`);
  }
  try {
    const busy = options.busyTimeoutMs ?? DEFAULT_BUSY_TIMEOUT_MS;
    // busy_timeout first: switching to WAL needs a lock another process may hold.
    db.run(`PRAGMA busy_timeout = ${Math.trunc(busy)}`);
    checkOwnership(db, path); // before any PRAGMA that would write to someone else's file
    configure(db, options, busy);
    migrate(db, {
      migrations: options.migrations,
      busyTimeoutMs: options.busyTimeoutMs,
      now: options.now,
    });
    return db;
  } catch (err) {
    db.close(false);
    const replaced = replacedDuringOpen(path, opened);
    if (replaced) throw replaced;
    if (err instanceof Error && err.name === "SQLiteError") {
      throw fromSqliteError(err, `open ${path}`);
    }
    throw err;
  }
}

function prepareFile(path: string, create: boolean): void {
  let st: ReturnType<typeof statSync> | undefined;
  try {
    st = statSync(path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== "ENOENT") throw fsError("open", path, err);
  }
  if (st?.isDirectory()) {
    throw new IoError(`store path ${path} is a directory`, { hint: "point --db at a file" });
  }
  if (st) return;
  if (!create) throw new NotFoundError(`no store at ${path}`);
  try {
    ensureParentDir(path);
    ensurePrivateFile(path);
  } catch (err) {
    throw fsError("create", path, err);
  }
}

/**
 * Checkpoint every 8192 WAL pages (32 MiB) instead of SQLite's 1000. Each
 * checkpoint costs two fsyncs, and with synchronous=NORMAL those are the only
 * fsyncs: at 1000 they were a fifth of a queue cycle's time. Close still
 * checkpoints with TRUNCATE, so no -wal outlives a clean exit.
 */
const WAL_AUTOCHECKPOINT_PAGES = 8192;

function configure(db: Database, options: OpenOptions, busyTimeoutMs: number): void {
  // Two processes turning a new file to WAL at once both hold a read lock and
  // want the exclusive one: SQLite refuses one at once (busy, no waiting) to
  // avoid a deadlock, so that one tries again.
  const mode = retryWhileBusy(
    () => (db.query("PRAGMA journal_mode = WAL").get() as { journal_mode: string }).journal_mode,
    busyTimeoutMs,
    "switch the store to WAL",
  );
  if (mode.toLowerCase() !== "wal") {
    throw new IoError(`could not put the store in WAL mode (SQLite answered '${mode}')`, {
      hint: "WAL needs shared memory: network file systems are not supported",
    });
  }
  db.run(`PRAGMA synchronous = ${options.synchronous ?? "NORMAL"}`);
  db.run("PRAGMA foreign_keys = ON");
  db.run("PRAGMA cache_size = -16000");
  db.run("PRAGMA temp_store = MEMORY");
  db.run("PRAGMA secure_delete = ON");
  db.run("PRAGMA trusted_schema = OFF");
  db.run(`PRAGMA wal_autocheckpoint = ${WAL_AUTOCHECKPOINT_PAGES}`);
  const fk = db.query("PRAGMA foreign_keys").get() as { foreign_keys: number };
  if (fk.foreign_keys !== 1) throw new IoError("could not enable foreign keys");
}

/** A file with tables but without coffer's application_id belongs to someone else. */
function checkOwnership(db: Database, path: string): void {
  // One statement, so one snapshot: read apart, a sibling process creating the
  // store could commit in between (id still 0, tables already there).
  const { id, n } = db
    .query(
      `SELECT (SELECT application_id FROM pragma_application_id) AS id,
              (SELECT count(*) FROM sqlite_schema) AS n`,
    )
    .get() as { id: number; n: number };
  if (id === APPLICATION_ID) return;
  if (id === 0 && n === 0) return; // a new, empty file: migrate() claims it
  throw new IntegrityError(`${path} is a SQLite database, but not a coffer store`, {
    hint: "check --db, COFFER_DB and storage.database_path",
  });
}
