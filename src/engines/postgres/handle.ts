// What the PostgreSQL state modules run on: a pool or a transaction's handle,
// with driver errors mapped to coffer's and bigint columns read as numbers.

import type { SQL } from "bun";
import { mapPgError } from "./errors.ts";
import type { PgTarget } from "./url.ts";

export interface PgHandle {
  /** The pool, or a transaction's handle to run inside it. */
  sql: SQL;
  target: PgTarget;
}

/**
 * sql.begin's options for a read-only snapshot: every read inside sees the
 * same committed state (backup, status, the vault's rows).
 */
export const READ_SNAPSHOT = "isolation level repeatable read read only";

/** Runs `fn` on the handle's sql, mapping driver errors to coffer's. */
export async function runPg<T>(db: PgHandle, fn: (sql: SQL) => Promise<T>): Promise<T> {
  try {
    return await fn(db.sql);
  } catch (err) {
    throw mapPgError(err, db.target);
  }
}

/** Runs `fn` in a transaction, or in the one the handle already is (a nested begin would fail). */
export function inPgTransaction<T>(db: PgHandle, fn: (tx: PgHandle) => Promise<T>): Promise<T> {
  return runPg(db, async (sql) => {
    if ("savepoint" in sql) return fn(db);
    return (await sql.begin((tx) => fn({ sql: tx, target: db.target }))) as T;
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
