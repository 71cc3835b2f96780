// SQLite text may hold NUL (U+0000); PostgreSQL text cannot. A backup with
// such a value is refused while it is being validated, before the safety
// backup or any lock, rather than by a rollback halfway through the copy.

import type { Database } from "bun:sqlite";
import { UsageError } from "../../errors.ts";
import { quoteIdent } from "./names.ts";
import type { CopyTable } from "./tables.ts";

/** Throws a UsageError (exit 2) naming the first table, column and row whose text holds NUL. */
export function refuseNulText(db: Database, plan: readonly CopyTable[]): void {
  for (const table of plan) {
    const texts = table.columns.filter((c) => c.kind === "text" || c.kind === "json");
    if (texts.length === 0) continue;
    // Byte-wise on the stored text: SQLite's text functions may stop at a NUL.
    const hasNul = (name: string) =>
      `(typeof(${quoteIdent(name)}) = 'text' AND instr(CAST(${quoteIdent(name)} AS BLOB), x'00') > 0)`;
    const flags = texts.map((c, i) => `${hasNul(c.name)} AS "__nul${i}"`);
    const keys = table.key.map(
      (k) => `CAST(${quoteIdent(k.name)} AS TEXT) AS ${quoteIdent(k.name)}`,
    );
    const row = db
      .query(
        `SELECT ${[...keys, ...flags].join(", ")} FROM ${quoteIdent(table.name)}
         WHERE ${texts.map((c) => hasNul(c.name)).join(" OR ")} LIMIT 1`,
      )
      .get() as Record<string, unknown> | null;
    if (!row) continue;
    const column = texts.find((_, i) => Number(row[`__nul${i}`]) === 1) ?? texts[0];
    const key = table.key.map((k) => `${k.name} ${JSON.stringify(row[k.name])}`).join(", ");
    throw new UsageError(
      `the backup's ${table.name}.${column?.name} holds a NUL character (row ${key}), which PostgreSQL text cannot store; nothing was changed`,
      { hint: "remove the NUL from that value on SQLite, back up again, then restore" },
    );
  }
}
