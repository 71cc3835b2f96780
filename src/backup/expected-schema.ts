// The schema coffer's own migrations create, version by version: a backup's
// sqlite_schema must match it exactly, so a trigger, view or table that
// coffer did not write is refused before any query could run it.

import { Database } from "bun:sqlite";
import { migrate } from "../store/migrate.ts";
import { migrations as bundled, type Migration } from "../store/migrations.ts";

export interface SchemaObject {
  type: string;
  name: string;
  tbl_name: string;
  sql: string | null;
}

// Written by ANALYZE and PRAGMA optimize, which any tool may run: data, not code.
const STAT_TABLES = new Map([
  ["sqlite_stat1", "CREATE TABLE sqlite_stat1(tbl,idx,stat)"],
  ["sqlite_stat4", "CREATE TABLE sqlite_stat4(tbl,idx,neq,nlt,ndlt,sample)"],
]);

const cache = new Map<number, SchemaObject[]>();

/** sqlite_schema of a fresh store migrated to `version`. */
export function expectedSchema(
  version: number,
  migrations: readonly Migration[] = bundled,
): SchemaObject[] {
  const cached = migrations === bundled ? cache.get(version) : undefined;
  if (cached) return cached;
  const db = new Database(":memory:");
  try {
    migrate(db, { migrations: migrations.slice(0, version) });
    const schema = readSchema(db);
    if (migrations === bundled) cache.set(version, schema);
    return schema;
  } finally {
    db.close();
  }
}

export function readSchema(db: Database): SchemaObject[] {
  return db
    .query("SELECT type, name, tbl_name, sql FROM sqlite_schema ORDER BY type, name")
    .all() as SchemaObject[];
}

/** The differences between `actual` and `expected`, as short phrases; empty when they match. */
export function schemaDifferences(
  actual: readonly SchemaObject[],
  expected: readonly SchemaObject[],
): string[] {
  const key = (o: SchemaObject) => `${o.type} '${o.name}'`;
  const want = new Map(expected.map((o) => [key(o), o]));
  const problems: string[] = [];
  const seen = new Set<string>();
  for (const o of actual) {
    seen.add(key(o));
    const w = want.get(key(o));
    if (!w) {
      if (o.type === "table" && STAT_TABLES.get(o.name) === o.sql) continue;
      problems.push(`unexpected ${key(o)}`);
    } else if (w.sql !== o.sql || w.tbl_name !== o.tbl_name) {
      problems.push(`${key(o)} differs from coffer's`);
    }
  }
  for (const k of want.keys()) if (!seen.has(k)) problems.push(`missing ${k}`);
  return problems;
}
