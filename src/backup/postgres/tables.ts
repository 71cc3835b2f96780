// What moves between the engines: every coffer table of the SQLite schema
// (the list is read from the schema, not written here, so tables added by
// later migrations move too), matched column by column with its PostgreSQL
// twin, parents before children, with the sequences to carry over.

import type { Database } from "bun:sqlite";
import type { SQL } from "bun";
import { InternalError } from "../../errors.ts";
import { OWN_TABLES } from "./names.ts";
import { type SqliteTable, sqliteTables } from "./sqlite-tables.ts";

/** How a PostgreSQL column's values are read and written so that they come back exactly. */
export type PgKind = "int" | "text" | "bytea" | "bool" | "float" | "json";

export interface CopyColumn {
  name: string;
  /** The PostgreSQL type as SQL writes it ("bigint", "text"…), for casts. */
  pgType: string;
  kind: PgKind;
}

export interface CopyTable {
  name: string;
  /** In the SQLite table's order; generated columns (either engine) are left out. */
  columns: CopyColumn[];
  /** The primary key's columns, in key order: rows are read in this order. */
  key: CopyColumn[];
  /** Identity or serial columns on PostgreSQL, with their sequence. */
  sequences: { column: string; sequence: string }[];
  /** SQLite AUTOINCREMENT: its high-water mark lives in sqlite_sequence. */
  autoincrement: boolean;
  /** A single-column foreign key to the table's own one-column key (a parent row). */
  parentColumn: string | undefined;
}

const KINDS: Record<string, PgKind> = {
  int2: "int",
  int4: "int",
  int8: "int",
  text: "text",
  varchar: "text",
  bytea: "bytea",
  bool: "bool",
  float4: "float",
  float8: "float",
  json: "json",
  jsonb: "json",
};

interface PgColumnRow {
  table: string;
  name: string;
  type: string;
  typname: string;
  generated: string;
  sequence: string | null;
}

async function pgColumns(sql: SQL, schema: string): Promise<Map<string, PgColumnRow[]>> {
  const rows = (await sql`
    SELECT c.relname AS table, a.attname AS name, format_type(a.atttypid, a.atttypmod) AS type,
           t.typname, a.attgenerated AS generated,
           pg_get_serial_sequence(format('%I.%I', n.nspname, c.relname), a.attname) AS sequence
    FROM pg_attribute a
    JOIN pg_class c ON c.oid = a.attrelid
    JOIN pg_namespace n ON n.oid = c.relnamespace
    JOIN pg_type t ON t.oid = a.atttypid
    WHERE n.nspname = ${schema} AND c.relkind IN ('r', 'p') AND a.attnum > 0 AND NOT a.attisdropped
    ORDER BY c.relname, a.attnum`) as PgColumnRow[];
  const tables = new Map<string, PgColumnRow[]>();
  for (const r of rows) {
    if (OWN_TABLES.has(r.table)) continue;
    tables.set(r.table, [...(tables.get(r.table) ?? []), r]);
  }
  return tables;
}

/**
 * The tables to copy, parents first. Both schemas come from coffer's own
 * migrations at the same version, so any difference is a bug: refused loudly
 * rather than copied in part.
 */
export async function copyPlan(sql: SQL, schema: string, db: Database): Promise<CopyTable[]> {
  const lite = sqliteTables(db);
  const pg = await pgColumns(sql, schema);
  const missing = [...pg.keys()].filter((name) => !lite.some((t) => t.name === name));
  if (missing.length > 0) throw mismatch(`PostgreSQL tables with no SQLite twin: ${missing}`);
  const plan = lite.map((t) => planTable(t, pg.get(t.name)));
  return parentsFirst(plan, new Map(lite.map((t) => [t.name, t.parents])));
}

function planTable(t: SqliteTable, pgCols: PgColumnRow[] | undefined): CopyTable {
  if (!pgCols) throw mismatch(`table ${t.name} is missing on PostgreSQL`);
  const stored = pgCols.filter((c) => c.generated === "");
  const byName = new Map(stored.map((c) => [c.name, c]));
  const extra = stored.filter((c) => !t.columns.includes(c.name)).map((c) => c.name);
  if (extra.length > 0) throw mismatch(`${t.name} has columns only PostgreSQL has: ${extra}`);
  const columns = t.columns.map((name) => {
    const c = byName.get(name);
    if (!c) throw mismatch(`${t.name}.${name} is missing on PostgreSQL`);
    const kind = KINDS[c.typname];
    if (!kind) throw new InternalError(`cannot copy ${t.name}.${name} of type ${c.type}`);
    return { name, pgType: c.type, kind };
  });
  if (t.key.length === 0) throw new InternalError(`table ${t.name} has no primary key to copy by`);
  return {
    name: t.name,
    columns,
    key: t.key.map((k) => columns.find((c) => c.name === k) as CopyColumn),
    sequences: stored
      .filter((c) => c.sequence !== null)
      .map((c) => ({ column: c.name, sequence: c.sequence as string })),
    autoincrement: t.autoincrement,
    parentColumn: t.parentColumn,
  };
}

/** A topological order by foreign key; a cycle keeps the schema's order for what remains. */
function parentsFirst(plan: CopyTable[], parents: Map<string, string[]>): CopyTable[] {
  const done = new Set<string>();
  const out: CopyTable[] = [];
  let left = plan;
  while (left.length > 0) {
    const ready = left.filter((t) => (parents.get(t.name) ?? []).every((p) => done.has(p)));
    const next = ready.length > 0 ? ready : left.slice(0, 1);
    for (const t of next) {
      done.add(t.name);
      out.push(t);
    }
    left = left.filter((t) => !done.has(t.name));
  }
  return out;
}

function mismatch(what: string): InternalError {
  return new InternalError(`the SQLite and PostgreSQL schemas differ: ${what}`, {
    hint: "this coffer's migrations for the two engines disagree; please report it",
  });
}
