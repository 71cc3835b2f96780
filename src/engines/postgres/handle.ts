// What the PostgreSQL state modules run on: a pool or a transaction's handle,
// with driver errors mapped to coffer's and bigint columns read as numbers.
// coffer's own work that the server rolls back on a deadlock or a
// serialization failure (40P01, 40001) runs again, within the busy timeout.

import type { SQL } from "bun";
import { DEFAULT_BUSY_TIMEOUT_MS } from "./connect.ts";
import { isRetryableConflict, mapPgError } from "./errors.ts";
import type { PgTarget } from "./url.ts";

export interface PgHandle {
  /** The pool, or a transaction's handle to run inside it. */
  sql: SQL;
  target: PgTarget;
  /** How long coffer keeps retrying a deadlock or serialization failure (default 5 s). */
  busyTimeoutMs?: number | undefined;
}

/**
 * sql.begin's options for a read-only snapshot: every read inside sees the
 * same committed state (backup, status, the vault's rows).
 */
export const READ_SNAPSHOT = "isolation level repeatable read read only";

/** Attempts at most, however long the busy timeout: a conflict that persists is reported. */
const MAX_ATTEMPTS = 20;

/**
 * Runs `fn` on the handle's sql, mapping driver errors to coffer's. On the
 * pool, a deadlock or serialization failure runs `fn` again after a jittered
 * backoff while the busy timeout lasts; inside a transaction it cannot (the
 * transaction is aborted), so it goes up to whoever began it.
 */
export async function runPg<T>(db: PgHandle, fn: (sql: SQL) => Promise<T>): Promise<T> {
  const retry = !("savepoint" in db.sql);
  const deadline = performance.now() + (db.busyTimeoutMs ?? DEFAULT_BUSY_TIMEOUT_MS);
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn(db.sql);
    } catch (err) {
      const wait = conflictBackoff(attempt);
      const again = retry && attempt < MAX_ATTEMPTS && performance.now() + wait < deadline;
      if (!again || !isRetryableConflict(err)) throw mapPgError(err, db.target);
      await Bun.sleep(wait);
    }
  }
}

/** 2, 4, 8 … ms up to 100, each scaled by a random factor in [0.5, 1.5) so the parties drift apart. */
export function conflictBackoff(attempt: number): number {
  return Math.min(100, 2 ** attempt) * (0.5 + Math.random());
}

/**
 * Runs `fn` in a transaction, or in the one the handle already is (a nested
 * begin would fail). `fn` is coffer's own code: on a deadlock or
 * serialization failure the whole transaction runs again (runPg above).
 */
export function inPgTransaction<T>(db: PgHandle, fn: (tx: PgHandle) => Promise<T>): Promise<T> {
  return runPg(db, async (sql) => {
    if ("savepoint" in sql) return fn(db);
    return (await sql.begin((tx) =>
      fn({ sql: tx, target: db.target, busyTimeoutMs: db.busyTimeoutMs }),
    )) as T;
  });
}

/** A row with its bigint columns (Bun returns them as strings) as numbers; ms times fit exactly. */
export function withNumbers(
  row: Record<string, unknown>,
  keys: readonly string[],
): Record<string, unknown> {
  const r = { ...row };
  for (const k of keys) if (typeof r[k] === "string") r[k] = Number(r[k]);
  return r;
}
