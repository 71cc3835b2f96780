// The coffer tables of a SQLite file as the copy needs them: columns in
// order (generated ones left out), primary key, parent tables, AUTOINCREMENT,
// and a foreign key to the table's own key (rows that point at a parent row).

import type { Database } from "bun:sqlite";
import { OWN_TABLES, quoteIdent } from "./names.ts";

export interface SqliteTable {
  name: string;
  columns: string[];
  key: string[];
  parents: string[];
  autoincrement: boolean;
  parentColumn: string | undefined;
}

/** Regular tables only: virtual tables (FTS) and their shadow tables are filled by triggers. */
export function sqliteTables(db: Database): SqliteTable[] {
  const list = db.query("PRAGMA main.table_list").all() as { name: string; type: string }[];
  return list
    .filter((t) => t.type === "table" && !t.name.startsWith("sqlite_") && !OWN_TABLES.has(t.name))
    .map((t) => {
      const cols = db.query(`PRAGMA table_xinfo(${quoteIdent(t.name)})`).all() as {
        name: string;
        pk: number | bigint;
        hidden: number | bigint;
      }[];
      const visible = cols.filter((c) => Number(c.hidden) === 0);
      const fks = db.query(`PRAGMA foreign_key_list(${quoteIdent(t.name)})`).all() as {
        id: number | bigint;
        table: string;
        from: string;
        to: string | null;
      }[];
      const sql = db
        .query("SELECT sql FROM sqlite_schema WHERE type = 'table' AND name = ?")
        .get(t.name) as { sql: string | null } | null;
      const key = visible
        .filter((c) => Number(c.pk) > 0)
        .sort((a, b) => Number(a.pk) - Number(b.pk))
        .map((c) => c.name);
      return {
        name: t.name,
        columns: visible.map((c) => c.name),
        key,
        parents: [...new Set(fks.map((f) => f.table).filter((p) => p !== t.name))],
        autoincrement: /\bAUTOINCREMENT\b/i.test(sql?.sql ?? ""),
        parentColumn: selfReference(fks, t.name, key),
      };
    });
}

/**
 * The column of a foreign key from the table to its own one-column key, so
 * rows can be written parents first (PostgreSQL checks each row as it lands).
 */
function selfReference(
  fks: { id: number | bigint; table: string; from: string; to: string | null }[],
  table: string,
  key: string[],
): string | undefined {
  const own = fks.filter((f) => f.table === table);
  const [first] = own;
  if (!first || own.length !== 1 || key.length !== 1) return undefined;
  return first.to === null || first.to === key[0] ? first.from : undefined;
}
