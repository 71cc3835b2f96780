// Every write goes through here: BEGIN IMMEDIATE, so the write lock is taken
// up front (a deferred transaction that upgrades can fail with SQLITE_BUSY
// that no busy handler can absorb: https://sqlite.org/lang_transaction.html),
// and a bounded retry around it for the busy cases SQLite does not wait on.

import type { Database } from "bun:sqlite";
import { InternalError } from "../errors.ts";
import { fromSqliteError, isBusy } from "./sqlite-errors.ts";

export const DEFAULT_BUSY_TIMEOUT_MS = 5000;

export interface WriteOptions {
  /** How long to keep trying to take the write lock before giving up (exit 6). */
  busyTimeoutMs?: number | undefined;
  /** Make this transaction durable as with synchronous=FULL, whatever the store's default. */
  durable?: boolean | undefined;
}

/**
 * A write callback must be synchronous: bun:sqlite would commit at the first
 * `await`, outside the transaction. The type refuses promises; a runtime
 * check catches what slips through.
 */
export type SyncResult<T> = T extends PromiseLike<unknown> ? never : T;

export function writeTransaction<T>(
  db: Database,
  fn: () => SyncResult<T>,
  options: WriteOptions = {},
): T {
  if (db.inTransaction) {
    // SQLite cannot raise the safety level inside a transaction: joining a
    // non-durable one would silently commit this write without its fsync.
    if (options.durable && !isDurable(db)) {
      throw new InternalError(
        "a durable write cannot join a transaction that is not durable; make the outer write durable",
      );
    }
    return runChecked(fn);
  }
  const timeout = options.busyTimeoutMs ?? DEFAULT_BUSY_TIMEOUT_MS;
  const previous = options.durable ? setSynchronous(db, "FULL") : undefined;
  try {
    begin(db, timeout);
    let result: T;
    try {
      result = runChecked(fn);
      db.query("COMMIT").run(); // query(): prepared once per connection, not per transaction
    } catch (err) {
      if (db.inTransaction) db.query("ROLLBACK").run();
      throw err;
    }
    return result;
  } finally {
    if (previous !== undefined) setSynchronous(db, previous);
  }
}

function runChecked<T>(fn: () => T): T {
  const result = fn();
  if (result && typeof (result as { then?: unknown }).then === "function") {
    throw new InternalError(
      "a write transaction callback returned a promise; it must be synchronous",
    );
  }
  return result;
}

function begin(db: Database, timeoutMs: number): void {
  const statement = db.query("BEGIN IMMEDIATE");
  retryWhileBusy(() => statement.run(), timeoutMs, "begin write transaction");
}

/**
 * Runs `fn` again while SQLite answers busy without having waited itself
 * (a lock upgrade that would deadlock, BEGIN IMMEDIATE under some races),
 * with a short jittered back-off, until `timeoutMs` is spent.
 */
export function retryWhileBusy<T>(fn: () => T, timeoutMs: number, context: string): T {
  const deadline = performance.now() + timeoutMs;
  for (let attempt = 0; ; attempt++) {
    try {
      return fn();
    } catch (err) {
      if (!isBusy(err) || performance.now() >= deadline) throw fromSqliteError(err, context);
      Bun.sleepSync(Math.min(50, 1 + attempt * 2) * (0.5 + Math.random()));
    }
  }
}

const SYNC_LEVELS = ["OFF", "NORMAL", "FULL", "EXTRA"] as const;
export type SynchronousLevel = (typeof SYNC_LEVELS)[number];

function isDurable(db: Database): boolean {
  const row = db.query("PRAGMA synchronous").get() as { synchronous: number };
  return row.synchronous >= SYNC_LEVELS.indexOf("FULL");
}

/** Sets PRAGMA synchronous (outside a transaction: SQLite ignores it inside); returns the old level. */
export function setSynchronous(db: Database, level: SynchronousLevel): SynchronousLevel {
  const row = db.query("PRAGMA synchronous").get() as { synchronous: number };
  db.run(`PRAGMA synchronous = ${level}`);
  return SYNC_LEVELS[row.synchronous] ?? "NORMAL";
}
