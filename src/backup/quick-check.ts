// The last check before a backup is put in place: PRAGMA quick_check on the
// written file, which must also be in rollback-journal (self-contained) mode.

import { Database } from "bun:sqlite";
import { IntegrityError } from "../errors.ts";

/** SQLite caps mmap_size at its compile-time limit (0x7fff0000 here); larger files read the rest normally. */
const MMAP_LIMIT = 2 ** 31 - 1;

export function quickCheck(path: string): void {
  const db = new Database(path, { readonly: true });
  try {
    // Through mmap the check reads the page cache the copy just filled: ~4x faster.
    db.run(`PRAGMA mmap_size = ${MMAP_LIMIT}`);
    const rows = db.query("PRAGMA quick_check").all() as { quick_check: string }[];
    if (rows.length !== 1 || rows[0]?.quick_check !== "ok") {
      throw new IntegrityError(
        `the backup failed its quick_check (${rows[0]?.quick_check ?? "no answer"}); nothing was written`,
      );
    }
    const { journal_mode: mode } = db.query("PRAGMA journal_mode").get() as {
      journal_mode: string;
    };
    if (mode !== "delete") throw new IntegrityError(`the backup is in ${mode} mode, not delete`);
  } finally {
    db.close(false);
  }
}
