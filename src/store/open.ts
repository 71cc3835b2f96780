// The one place a store file is opened: creates it with safe modes, sets and
// checks every PRAGMA, verifies the file is coffer's and migrates it (or,
// opened read-only, checks it needs no migration).

import type { Database } from "bun:sqlite";
import { chmodSync, statSync } from "node:fs";
import { IntegrityError, IoError, NotFoundError, UsageError } from "../errors.ts";
import { closeConnection, connect, connectionAccess, readOnlyReason } from "./access.ts";
import { ensureParentDir, ensurePrivateFile, FILE_MODE, fsError, warnIfExposed } from "./files.ts";
import { APPLICATION_ID, isCurrent, migrate } from "./migrate.ts";
import type { Migration } from "./migrations.ts";
import { fileIdentity, replacedDuringOpen } from "./replaced.ts";
import { storeError } from "./store-error.ts";
import { DEFAULT_BUSY_TIMEOUT_MS, retryWhileBusy, type SynchronousLevel } from "./tx.ts";

export interface OpenOptions {
  path: string;
  /** Create the file (and its parents) when missing. Default true. */
  create?: boolean | undefined;
  synchronous?: SynchronousLevel | undefined;
  busyTimeoutMs?: number | undefined;
  /** Told what the user should know but that is no error (a store readable by others). */
  onWarning?: ((message: string) => void) | undefined;
  /** Tests only: another migration list. */
  migrations?: readonly Migration[] | undefined;
  now?: (() => number) | undefined;
}

export function openDatabase(options: OpenOptions): Database {
  const { path } = options;
  if (path === ":memory:" || path === "") {
    throw new UsageError("the store must be a file, not an in-memory database");
  }
  const existing = prepareFile(path, options.create ?? true);
  const opened = fileIdentity(path); // a restore racing this open is a conflict, see replaced.ts
  const busy = options.busyTimeoutMs ?? DEFAULT_BUSY_TIMEOUT_MS;
  let db: Database;
  try {
    db = connect(path, busy);
  } catch (err) {
    throw replacedDuringOpen(path, opened) ?? storeError(path, err, `open ${path}`);
  }
  try {
    checkOwnership(db, path); // before any PRAGMA that would write to someone else's file
    configure(db, options, busy);
    const readOnly = readOnlyReason(db);
    if (readOnly === undefined) {
      migrate(db, {
        migrations: options.migrations,
        busyTimeoutMs: options.busyTimeoutMs,
        now: options.now,
      });
    } else if (!isCurrent(db, options.migrations)) {
      throw new IoError(`open ${path}: the store needs migrating, but ${readOnly}`);
    }
    if (existing) warnIfExposed(path, "store", options.onWarning); // SQLite gives -wal/-shm its mode
    return db;
  } catch (err) {
    closeConnection(db);
    throw replacedDuringOpen(path, opened) ?? storeError(path, err, `open ${path}`);
  }
}

/** Creates the file when missing; true when it already held data (a store, or not). */
function prepareFile(path: string, create: boolean): boolean {
  let st: ReturnType<typeof statSync> | undefined;
  try {
    st = statSync(path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== "ENOENT") throw fsError("open", path, err);
  }
  if (st?.isDirectory()) {
    throw new IoError(`store path ${path} is a directory`, { hint: "point --db at a file" });
  }
  if (st && !st.isFile()) {
    // A device, FIFO or socket: SQLite would write its header and WAL into it.
    throw new IoError(`store path ${path} is not a regular file`, { hint: "point --db at a file" });
  }
  if (st) {
    // An empty file (`touch coffer.db`) is one coffer initializes: it gets coffer's mode.
    if (st.size > 0) return true;
    claimEmptyFile(path, Number(st.mode));
    return false;
  }
  if (!create) throw new NotFoundError(`no store at ${path}`);
  try {
    ensureParentDir(path);
    ensurePrivateFile(path);
  } catch (err) {
    throw fsError("create", path, err);
  }
  return false;
}

function claimEmptyFile(path: string, mode: number): void {
  if ((mode & 0o777) === FILE_MODE) return;
  try {
    chmodSync(path, FILE_MODE);
  } catch (err) {
    // Not ours to chmod (or a read-only file system): the open that follows says what it can.
    if (!["EPERM", "EROFS", "EACCES"].includes((err as NodeJS.ErrnoException).code ?? "")) {
      throw fsError("chmod", path, err);
    }
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
  if (connectionAccess(db).mode === "write") setWal(db, busyTimeoutMs);
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

function setWal(db: Database, busyTimeoutMs: number): void {
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
