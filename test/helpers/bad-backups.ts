// Files that restore and verify must refuse, each made from a valid backup
// (or from nothing), with the exit code SPEC §7 gives for it.

import { Database } from "bun:sqlite";
import { copyFileSync, readFileSync, truncateSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { latestVersion } from "../../src/store/migrations.ts";

export interface BadBackup {
  name: string;
  path: string;
  code: number;
  /** A phrase the error line must contain. */
  message: RegExp;
  /** Caught only on a private copy opened for writing (FTS5's check), as restore makes. */
  needsWrite?: boolean;
}

function edit(good: string, path: string, sql: string): string {
  copyFileSync(good, path);
  const db = new Database(path);
  db.run(sql);
  db.close();
  return path;
}

/** A leaf page of `table`: its page-type byte set to an invalid value. */
function corruptTablePage(good: string, path: string, table: string): string {
  copyFileSync(good, path);
  const db = new Database(path, { readonly: true });
  const row = db
    .query("SELECT pageno FROM dbstat WHERE name = ? AND pagetype = 'leaf' LIMIT 1")
    .get(table) as { pageno: number } | null;
  const { page_size: pageSize } = db.query("PRAGMA page_size").get() as { page_size: number };
  db.close();
  if (!row) throw new Error(`no leaf page for ${table}`);
  const bytes = readFileSync(path);
  bytes[(row.pageno - 1) * pageSize] = 0x55;
  writeFileSync(path, bytes);
  return path;
}

/** Every refusal case, made in `dir` from the valid backup `good`. */
export function badBackups(dir: string, good: string): BadBackup[] {
  const p = (name: string) => join(dir, name);
  writeFileSync(p("empty.db"), "");
  writeFileSync(p("random.db"), crypto.getRandomValues(new Uint8Array(8192)));
  copyFileSync(good, p("truncated.db"));
  const size = readFileSync(good).length;
  truncateSync(p("truncated.db"), size - 4096);
  copyFileSync(good, p("torn.db"));
  truncateSync(p("torn.db"), size - 100);
  const other = new Database(p("other-app.db"));
  other.run("CREATE TABLE notes (x)");
  other.close();
  return [
    { name: "missing file", path: p("missing.db"), code: 3, message: /no backup at/ },
    { name: "empty file", path: p("empty.db"), code: 5, message: /empty/ },
    { name: "random bytes", path: p("random.db"), code: 5, message: /not a SQLite database/ },
    { name: "truncated backup", path: p("truncated.db"), code: 5, message: /truncated/ },
    { name: "torn last page", path: p("torn.db"), code: 5, message: /whole number|truncated/ },
    {
      name: "another application's database",
      path: p("other-app.db"),
      code: 5,
      message: /not a coffer file/,
    },
    {
      name: "newer schema",
      path: edit(good, p("newer.db"), `PRAGMA user_version = ${latestVersion + 1}`),
      code: 5,
      message: /newer than this coffer/,
    },
    {
      name: "failing integrity_check",
      path: corruptTablePage(good, p("corrupt.db"), "messages"),
      code: 5,
      message: /integrity_check/,
    },
    {
      // PRAGMA integrity_check passes it: only FTS5's own check compares index and messages.
      name: "full-text index disagreeing with the messages",
      path: edit(
        good,
        p("fts.db"),
        "INSERT INTO messages_fts (rowid, content) VALUES (987654321, 'bogus entry')",
      ),
      code: 5,
      message: /fts integrity-check: the full-text index of messages disagrees/,
      needsWrite: true,
    },
    {
      name: "trigger calling a function",
      path: edit(
        good,
        p("trigger.db"),
        "CREATE TRIGGER evil AFTER INSERT ON jobs BEGIN SELECT load_extension('/tmp/evil.so'); END",
      ),
      code: 5,
      message: /unexpected trigger 'evil'/,
    },
    {
      name: "view calling a function",
      path: edit(good, p("view.db"), "CREATE VIEW sessions_v AS SELECT randomblob(16) AS x"),
      code: 5,
      message: /unexpected view 'sessions_v'/,
    },
  ];
}
