// FTS5's own check of the messages index against the messages it indexes.
// PRAGMA integrity_check does not compare an external-content index with its
// table, and FTS5 runs its comparison only as a write (an INSERT of the
// 'integrity-check' command), so this opens a read-write connection: only
// ever on a private copy coffer made, never on a user's file. The command
// writes no page, and it runs inside a transaction that is rolled back.

import { Database } from "bun:sqlite";
import { isSqliteError } from "../store/sqlite-errors.ts";

/** [ok, detail] for the copy at `path`, whose schema already matched coffer's. */
export function ftsIntegrity(path: string): [boolean, string] {
  const db = new Database(path, { readwrite: true, create: false });
  try {
    db.run("PRAGMA trusted_schema = OFF");
    const indexed = db
      .query("SELECT 1 FROM sqlite_schema WHERE type = 'table' AND name = 'messages_fts'")
      .get();
    if (!indexed) return [true, "no full-text index in this schema"];
    db.run("BEGIN");
    try {
      // rank 1: compare the index with the content table too, not only with itself.
      db.run("INSERT INTO messages_fts (messages_fts, rank) VALUES ('integrity-check', 1)");
    } catch (err) {
      if (isSqliteError(err) && /^SQLITE_CORRUPT/.test(err.code ?? ""))
        return [false, "the full-text index of messages disagrees with the messages"];
      throw err;
    } finally {
      db.run("ROLLBACK");
    }
    return [true, "the full-text index matches the messages"];
  } finally {
    db.close(false);
  }
}
