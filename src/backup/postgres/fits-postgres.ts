// What a coffer SQLite file may hold that PostgreSQL's columns cannot, found
// while the backup is validated (before the safety backup or any lock)
// rather than by a rollback halfway through the copy: text holding NUL
// (U+0000), which SQLite keeps; text that is not valid UTF-8, whose bytes
// SQLite keeps but which would arrive as U+FFFD, silently changed; and
// integers past an integer column's range (SQLite's are all 64-bit). Only
// an edit by something other than coffer puts the last two there.

import type { Database } from "bun:sqlite";
import { IntegrityError, UsageError } from "../../errors.ts";
import { quoteIdent } from "./names.ts";
import type { CopyColumn, CopyTable } from "./tables.ts";

const INT_RANGES: Record<string, [bigint, bigint]> = {
  smallint: [-32768n, 32767n],
  integer: [-2147483648n, 2147483647n],
};

/** The SQL condition true for a value of `c` that PostgreSQL cannot store, or undefined. */
function misfit(c: CopyColumn): string | undefined {
  const q = quoteIdent(c.name);
  // Byte-wise on the stored text: SQLite's text functions may stop at a NUL.
  if (c.kind === "text" || c.kind === "json")
    return `(typeof(${q}) = 'text' AND instr(CAST(${q} AS BLOB), x'00') > 0)`;
  const range = c.kind === "int" ? INT_RANGES[c.pgType] : undefined;
  return range ? `(${q} < ${range[0]} OR ${q} > ${range[1]})` : undefined;
}

/** Throws naming the first table, column and row that does not fit: NUL is exit 2, a range or invalid UTF-8 5. */
export function checkFitsPostgres(db: Database, plan: readonly CopyTable[]): void {
  for (const table of plan) {
    checkUtf8(db, table);
    const checked = table.columns.flatMap((c) => {
      const cond = misfit(c);
      return cond ? [{ column: c, cond }] : [];
    });
    if (checked.length === 0) continue;
    const flags = checked.map((x, i) => `${x.cond} AS "__misfit${i}"`);
    const keys = table.key.map(
      (k) => `CAST(${quoteIdent(k.name)} AS TEXT) AS ${quoteIdent(k.name)}`,
    );
    const row = db
      .query(
        `SELECT ${[...keys, ...flags].join(", ")} FROM ${quoteIdent(table.name)}
         WHERE ${checked.map((x) => x.cond).join(" OR ")} LIMIT 1`,
      )
      .get() as Record<string, unknown> | null;
    const bad = row ? checked.find((_, i) => Number(row[`__misfit${i}`]) === 1) : undefined;
    if (!row || !bad) continue;
    const where = placeOf(table, bad.column, row);
    if (bad.column.kind === "int") {
      throw new IntegrityError(
        `${where} is outside PostgreSQL's ${bad.column.pgType} range; nothing was changed`,
      );
    }
    throw new UsageError(
      `${where} holds a NUL character, which PostgreSQL text cannot store; nothing was changed`,
      { hint: "remove the NUL from that value on SQLite, back up again, then restore" },
    );
  }
}

/** "the backup's TABLE.COLUMN (row KEY VALUE, …)": where a value that does not fit is. */
function placeOf(table: CopyTable, column: CopyColumn, row: Record<string, unknown>): string {
  const key = table.key.map((k) => `${k.name} ${JSON.stringify(row[k.name])}`).join(", ");
  return `the backup's ${table.name}.${column.name} (row ${key})`;
}

/**
 * Every text value of `table`, read as its bytes and decoded strictly: coffer
 * writes only valid UTF-8, so bytes that are not come from elsewhere (exit 5).
 * A second read of the text besides the copy's: restoring is rare, and no
 * test in SQL picks out the invalid values alone.
 */
function checkUtf8(db: Database, table: CopyTable): void {
  const columns = table.columns.filter((c) => c.kind === "text" || c.kind === "json");
  if (columns.length === 0) return;
  const keys = table.key.map((k) => `CAST(${quoteIdent(k.name)} AS TEXT) AS ${quoteIdent(k.name)}`);
  const values = columns.map((c, i) => {
    const q = quoteIdent(c.name);
    return `CASE WHEN typeof(${q}) = 'text' THEN CAST(${q} AS BLOB) END AS "__text${i}"`;
  });
  const select = db.query(
    `SELECT ${[...keys, ...values].join(", ")} FROM ${quoteIdent(table.name)}`,
  );
  const strict = new TextDecoder("utf-8", { fatal: true });
  for (const row of select.iterate() as IterableIterator<Record<string, unknown>>) {
    for (const [i, column] of columns.entries()) {
      const value = row[`__text${i}`];
      if (!(value instanceof Uint8Array)) continue;
      try {
        strict.decode(value);
      } catch {
        throw new IntegrityError(
          `${placeOf(table, column, row)} is not valid UTF-8 text, which PostgreSQL cannot store as it is; nothing was changed`,
          { hint: "coffer writes only UTF-8: the file was edited by something else" },
        );
      }
    }
  }
}
