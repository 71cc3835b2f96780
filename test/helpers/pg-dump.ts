// Every coffer table of a SQLite store as plain JSON (blobs in hex, integers
// exact, rows sorted), so two stores can be compared for equality.

import { Database } from "bun:sqlite";

/** Tables whose rows differ by design between two stores: each records its own migrations. */
const SKIP = new Set(["coffer_migrations"]);

export function dumpStore(path: string): Record<string, unknown[]> {
  const db = new Database(path, { readonly: true, safeIntegers: true });
  try {
    const tables = (
      db.query("SELECT name FROM sqlite_schema WHERE type = 'table' ORDER BY name").all() as {
        name: string;
      }[]
    )
      .map((t) => t.name)
      .filter((name) => !SKIP.has(name));
    const out: Record<string, unknown[]> = {};
    for (const name of tables) {
      const rows = db.query(`SELECT * FROM "${name}"`).all() as Record<string, unknown>[];
      const plain = rows.map((row) =>
        Object.fromEntries(
          Object.entries(row).map(([k, v]) => [
            k,
            v instanceof Uint8Array
              ? `x'${Buffer.from(v).toString("hex")}'`
              : typeof v === "bigint"
                ? `${v}n`
                : v,
          ]),
        ),
      );
      out[name] = plain
        .map((row) => JSON.stringify(row))
        .sort()
        .map((text) => JSON.parse(text));
    }
    return out;
  } finally {
    db.close();
  }
}
