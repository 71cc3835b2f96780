// A coffer SQLite file's rows into PostgreSQL, inside the caller's transaction:
// every table of the plan emptied (children first) and refilled (parents
// first) with the same ids, values cast exactly, then each identity sequence
// set past the highest id the file holds or ever handed out.

import type { Database } from "bun:sqlite";
import type { SQL } from "bun";
import { IntegrityError } from "../../errors.ts";
import { throwIfAborted } from "../copy.ts";
import { quoteIdent } from "./names.ts";
import type { CopyColumn, CopyTable } from "./tables.ts";

/** Bind parameters per INSERT: well under PostgreSQL's 65,535. */
const PARAMS_PER_INSERT = 20_000;

/** Blocks every writer (readers keep reading) until the transaction ends. */
export async function lockTables(sql: SQL, plan: readonly CopyTable[]): Promise<void> {
  const names = [...plan.map((t) => t.name), "coffer_migrations"].map(quoteIdent).join(", ");
  await sql.unsafe(`LOCK TABLE ${names} IN EXCLUSIVE MODE`);
}

export interface ReplaceOptions {
  signal?: AbortSignal | undefined;
  /** Tests only: smaller INSERTs (PostgreSQL checks foreign keys at the end of each). */
  rowsPerInsert?: number | undefined;
}

/** Replaces the contents of every table of `plan` with the rows of `db` (opened with safeIntegers). */
export async function replaceFromSqlite(
  sql: SQL,
  db: Database,
  plan: readonly CopyTable[],
  options: ReplaceOptions = {},
): Promise<Record<string, number>> {
  // DELETE, not TRUNCATE: TRUNCATE is not MVCC-safe for snapshots already taken elsewhere.
  for (const table of [...plan].reverse())
    await sql.unsafe(`DELETE FROM ${quoteIdent(table.name)}`);
  const counts: Record<string, number> = {};
  for (const table of plan) {
    counts[table.name] = await insertTable(sql, db, table, options);
    await resetSequences(sql, db, table);
  }
  for (const [name, n] of Object.entries(counts)) {
    const [row] = await sql.unsafe(`SELECT count(*)::int AS n FROM ${quoteIdent(name)}`);
    if (Number(row?.n) !== n) {
      throw new IntegrityError(`table ${name} holds ${row?.n} rows after the restore, not ${n}`);
    }
  }
  return counts;
}

/** The parameter as PostgreSQL reads it: text cast to the column's type, bytea as bytes. */
function placeholder(c: CopyColumn, n: number): string {
  return c.kind === "bytea" ? `$${n}::bytea` : `$${n}::text::${c.pgType}`;
}

function toParam(c: CopyColumn, value: unknown): unknown {
  if (value === null || value === undefined || c.kind === "bytea") return value ?? null;
  return String(value); // integers arrive as bigint (safeIntegers): exact at any size
}

async function insertTable(
  sql: SQL,
  db: Database,
  table: CopyTable,
  options: ReplaceOptions,
): Promise<number> {
  const { columns } = table;
  const perInsert =
    options.rowsPerInsert ?? Math.max(1, Math.floor(PARAMS_PER_INSERT / columns.length));
  const head = `INSERT INTO ${quoteIdent(table.name)} (${columns.map((c) => quoteIdent(c.name)).join(", ")}) VALUES `;
  const select = db.query(rowsInOrder(table));
  let batch: Record<string, unknown>[] = [];
  let total = 0;
  const flush = async () => {
    const params: unknown[] = [];
    const tuples = batch.map((row) => {
      const marks = columns.map((c) => {
        params.push(toParam(c, row[c.name]));
        return placeholder(c, params.length);
      });
      return `(${marks.join(", ")})`;
    });
    await sql.unsafe(head + tuples.join(", "), params as never[]);
    total += batch.length;
    batch = [];
    throwIfAborted(options.signal);
  };
  // Read in pages: the statement stays open across the awaits, on a file nobody else writes.
  for (const row of select.iterate() as IterableIterator<Record<string, unknown>>) {
    batch.push(row);
    if (batch.length === perInsert) await flush();
  }
  if (batch.length > 0) await flush();
  return total;
}

/**
 * The table's rows by key; a table whose rows point at a parent row of their
 * own gets them parents first, level by level (rows in a cycle would never
 * be reached: the row count check after the copy refuses that).
 */
function rowsInOrder(table: CopyTable): string {
  const cols = table.columns.map((c) => `t.${quoteIdent(c.name)}`).join(", ");
  const name = quoteIdent(table.name);
  const keys = table.key.map((k) => `t.${quoteIdent(k.name)}`).join(", ");
  const key = table.key[0] ? quoteIdent(table.key[0].name) : "";
  if (!table.parentColumn || table.key.length !== 1) {
    return `SELECT ${cols} FROM ${name} t ORDER BY ${keys}`;
  }
  const parent = quoteIdent(table.parentColumn);
  return `WITH RECURSIVE tree (k, depth) AS (
      SELECT ${key}, 0 FROM ${name}
      WHERE ${parent} IS NULL OR ${parent} NOT IN (SELECT ${key} FROM ${name})
      UNION ALL
      SELECT c.${key}, tree.depth + 1 FROM ${name} c JOIN tree ON c.${parent} = tree.k
    )
    SELECT ${cols} FROM ${name} t JOIN tree ON t.${key} = tree.k ORDER BY tree.depth, ${keys}`;
}

/** New rows after the restore get fresh ids: never one the file holds or had handed out. */
async function resetSequences(sql: SQL, db: Database, table: CopyTable): Promise<void> {
  const seq = table.autoincrement
    ? (db.query("SELECT seq FROM sqlite_sequence WHERE name = ?").get(table.name) as {
        seq: bigint;
      } | null)
    : null;
  for (const { column, sequence } of table.sequences) {
    const [row] = await sql.unsafe(
      `SELECT coalesce(max(${quoteIdent(column)}), 0)::text AS m FROM ${quoteIdent(table.name)}`,
    );
    const high = [BigInt(row?.m ?? 0), BigInt(seq?.seq ?? 0)].reduce((a, b) => (a > b ? a : b));
    if (high > 0n)
      await sql.unsafe("SELECT setval($1::regclass, $2::text::bigint, true)", [
        sequence,
        String(high),
      ]);
    else await sql.unsafe("SELECT setval($1::regclass, 1, false)", [sequence]);
  }
}
