// PostgreSQL rows into a coffer SQLite file: every table of the plan, read by
// primary key in pages inside the caller's snapshot, each value converted to
// exactly what SQLite stores (bigint text to integers, bytea to blobs, JSON
// as the text it was written as), ids kept, sequences carried over.

import type { Database } from "bun:sqlite";
import type { SQL } from "bun";
import { IntegrityError } from "../../errors.ts";
import { throwIfAborted } from "../copy.ts";
import { quoteIdent } from "./names.ts";
import type { CopyColumn, CopyTable } from "./tables.ts";

const PAGE_ROWS = 2000;

/** How a column is selected so its value arrives exactly (Bun reads int8 as text anyway). */
function selectExpr(c: CopyColumn): string {
  const q = quoteIdent(c.name);
  if (c.kind === "int" || c.kind === "json") return `${q}::text AS ${q}`;
  if (c.kind === "bool") return `${q}::int AS ${q}`;
  return q;
}

/** What SQLite gets for one PostgreSQL value. */
function toSqlite(c: CopyColumn, value: unknown): unknown {
  if (value === null || value === undefined) return null;
  if (c.kind === "int") {
    const n = Number(value);
    return Number.isSafeInteger(n) ? n : BigInt(value as string);
  }
  return value;
}

/** Copies every table of `plan` from `sql` (inside a snapshot) into `db`, in one SQLite transaction. */
export async function copyToSqlite(
  sql: SQL,
  db: Database,
  plan: readonly CopyTable[],
  signal?: AbortSignal,
): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  db.run("PRAGMA foreign_keys = OFF"); // checked as a whole once every table is in
  db.run("BEGIN");
  try {
    for (const table of plan) {
      counts[table.name] = await copyTable(sql, db, table, signal);
      if (table.autoincrement) await carrySequence(sql, db, table);
    }
    checkCounts(db, counts);
    db.run("COMMIT");
  } catch (err) {
    if (db.inTransaction) db.run("ROLLBACK");
    throw err;
  }
  const broken = db.query("PRAGMA foreign_key_check").all().length;
  if (broken > 0) throw new IntegrityError(`${broken} copied rows violate a foreign key`);
  return counts;
}

async function copyTable(
  sql: SQL,
  db: Database,
  table: CopyTable,
  signal: AbortSignal | undefined,
): Promise<number> {
  const cols = table.columns.map((c) => quoteIdent(c.name)).join(", ");
  const insert = db.prepare(
    `INSERT INTO ${quoteIdent(table.name)} (${cols}) VALUES (${table.columns.map(() => "?").join(", ")})`,
  );
  const keys = table.key.map((k, i) => `${quoteIdent(k.name)}::text AS "__key${i}"`);
  const select = `SELECT ${[...table.columns.map(selectExpr), ...keys].join(", ")} FROM ${quoteIdent(table.name)}`;
  // Qualified: a bare name in ORDER BY means the output column, which selectExpr may have
  // made text (ids as '10' < '9'), while WHERE compares the table's own typed column.
  const keyCols = table.key
    .map((k) => `${quoteIdent(table.name)}.${quoteIdent(k.name)}`)
    .join(", ");
  const order = `ORDER BY ${keyCols} LIMIT ${PAGE_ROWS}`;
  const after = `WHERE (${keyCols}) > (${table.key
    .map((k, i) => `$${i + 1}::text::${k.pgType}`)
    .join(", ")})`;
  let last: string[] | undefined;
  let total = 0;
  for (;;) {
    const rows = (await (last
      ? sql.unsafe(`${select} ${after} ${order}`, last)
      : sql.unsafe(`${select} ${order}`))) as Record<string, unknown>[];
    for (const row of rows) {
      insert.run(...(table.columns.map((c) => toSqlite(c, row[c.name])) as never[]));
    }
    total += rows.length;
    const end = rows.at(-1);
    if (!end || rows.length < PAGE_ROWS) return total;
    last = table.key.map((_, i) => String(end[`__key${i}`]));
    throwIfAborted(signal);
  }
}

/** A purged row's id is never handed out again: SQLite's high-water mark follows the sequence. */
async function carrySequence(sql: SQL, db: Database, table: CopyTable): Promise<void> {
  for (const { sequence } of table.sequences) {
    const [row] = (await sql.unsafe(
      `SELECT last_value::text AS last, is_called AS called FROM ${sequence}`,
    )) as { last: string; called: boolean }[];
    if (!row) continue;
    const used = BigInt(row.last) - (row.called ? 0n : 1n);
    if (used <= 0n) continue;
    const n = Number.isSafeInteger(Number(used)) ? Number(used) : used;
    const updated = db
      .query("UPDATE sqlite_sequence SET seq = max(seq, ?) WHERE name = ?")
      .run(n, table.name);
    if (updated.changes === 0) {
      db.query("INSERT INTO sqlite_sequence (name, seq) VALUES (?, ?)").run(table.name, n);
    }
  }
}

/** Triggers may add rows of their own: every table must hold exactly what was copied. */
export function checkCounts(db: Database, counts: Record<string, number>): void {
  for (const [name, n] of Object.entries(counts)) {
    const row = db.query(`SELECT count(*) AS n FROM ${quoteIdent(name)}`).get() as {
      n: number | bigint;
    };
    if (Number(row.n) !== n) {
      throw new IntegrityError(`table ${name} holds ${row.n} rows after the copy, not ${n}`);
    }
  }
}
