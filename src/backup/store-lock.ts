// Exclusive hold of a store for restore. Every coffer connection keeps a
// shared lock on the store file for as long as it is open (WAL mode), so an
// exclusive lock that cannot be had at once means another process has the
// store open: restore then refuses (exit 6) rather than swap the file under it.

import { Database } from "bun:sqlite";
import { closeSync, openSync } from "node:fs";
import { BusyError, IntegrityError } from "../errors.ts";
import { fsError } from "../store/files.ts";
import { APPLICATION_ID } from "../store/migrate.ts";
import { fromSqliteError, isBusy } from "../store/sqlite-errors.ts";

export interface StoreLock {
  /** The old store's file, opened once the lock is held. */
  fd: number;
  db: Database;
  release(): void;
}

/**
 * Takes the store for this process alone and folds its WAL into the main file
 * (a crashed writer's committed frames belong to the old store and its safety
 * copy), leaving it in rollback-journal mode with an in-memory journal so that
 * closing this connection later deletes no -wal or -journal by name: by then
 * that name may belong to the new store.
 */
export function lockStore(path: string, busyTimeoutMs: number): StoreLock {
  let db: Database | undefined;
  try {
    db = new Database(path, { readwrite: true, create: false });
    db.run(`PRAGMA busy_timeout = ${Math.trunc(busyTimeoutMs)}`);
    db.run("PRAGMA trusted_schema = OFF");
    db.run("PRAGMA locking_mode = EXCLUSIVE");
    db.run("BEGIN EXCLUSIVE");
    checkOwner(db, path);
    db.run("COMMIT");
    db.run("PRAGMA journal_mode = DELETE");
    // And no journal file of its own from here on: in exclusive locking mode
    // SQLite keeps its -journal until close, and closing after the swap would
    // then unlink `store-journal` by name, which may by then be a client's
    // live journal of the new store (seen: IOERR_DELETE_NOENT in that client).
    db.run("PRAGMA journal_mode = MEMORY");
    db.run("BEGIN EXCLUSIVE");
    db.query("SELECT count(*) FROM sqlite_schema").get();
  } catch (err) {
    if (db?.inTransaction) db.run("ROLLBACK");
    db?.close(false);
    throw asLockError(err, path);
  }
  // Opened only now: with the exclusive lock held, no other connection in this
  // process has locks on the file that closing this descriptor could drop.
  let fd: number;
  try {
    fd = openSync(path, "r+");
  } catch (err) {
    db.run("ROLLBACK");
    db.close(false);
    throw fsError("open", path, err);
  }
  const held = db;
  return {
    fd,
    db: held,
    release() {
      if (held.inTransaction) held.run("ROLLBACK");
      held.close(false);
      closeSync(fd);
    },
  };
}

/**
 * Checks, without keeping any lock, that no other process has the store open.
 * It waits up to `busyTimeoutMs` (as lockStore does): a short command holds
 * the store for milliseconds and lets go, a worker keeps it open (exit 6).
 */
export function probeStoreFree(path: string, busyTimeoutMs: number): void {
  const db = new Database(path, { readwrite: true, create: false });
  try {
    db.run(`PRAGMA busy_timeout = ${Math.trunc(busyTimeoutMs)}`);
    db.run("PRAGMA locking_mode = EXCLUSIVE");
    db.run("BEGIN EXCLUSIVE");
    checkOwner(db, path);
    db.run("ROLLBACK");
  } catch (err) {
    throw asLockError(err, path);
  } finally {
    db.close(false);
  }
}

function checkOwner(db: Database, path: string): void {
  const { application_id: id } = db.query("PRAGMA application_id").get() as {
    application_id: number;
  };
  const { n } = db.query("SELECT count(*) AS n FROM sqlite_schema").get() as { n: number };
  if (id >>> 0 !== APPLICATION_ID && n > 0) {
    throw new IntegrityError(`${path} is not a coffer store; not replacing it`, {
      hint: "check --db, COFFER_DB and storage.database_path",
    });
  }
}

function asLockError(err: unknown, path: string): unknown {
  if (isBusy(err)) {
    return new BusyError(`the store ${path} is in use by another process; nothing was changed`, {
      hint: "stop the processes using the store (agents, workers, coffer run), then retry",
    });
  }
  if (err instanceof Error && err.name === "SQLiteError")
    return fromSqliteError(err, `open ${path}`);
  return err;
}
