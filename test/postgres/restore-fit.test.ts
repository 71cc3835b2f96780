// Backups whose values PostgreSQL cannot store: text holding NUL (SQLite
// keeps it, PostgreSQL text cannot) and a 64-bit integer in an integer
// column. Restore refuses them while validating, with one error naming the
// table and column (exit 2 and 5), and nothing written anywhere.

import { Database } from "bun:sqlite";
import { describe, expect, test } from "bun:test";
import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { SQL } from "bun";
import { connect } from "../../src/index.ts";
import { openStore } from "../../src/store/store.ts";
import { coffer, type RunResult } from "../helpers/binary.ts";
import { freshDatabase, pgServer } from "../helpers/pg-server.ts";
import { tempDir } from "../helpers/tmp.ts";

const pg = await pgServer();

async function contents(url: string): Promise<string> {
  const sql = new SQL(url, { max: 1 });
  try {
    const [row] = await sql`SELECT
      (SELECT json_agg(s ORDER BY id)::text FROM coffer.sessions s) AS s,
      (SELECT json_agg(m ORDER BY id)::text FROM coffer.messages m) AS m`;
    return JSON.stringify(row);
  } finally {
    await sql.close();
  }
}

/** A SQLite store holding session s1 with these messages, and a backup of it (coffer's own, verified). */
function backupOf(contents: string[], name: string) {
  const dir = tempDir();
  const lite = join(dir, "coffer.db");
  {
    using store = openStore({ path: lite });
    store.sessions.create({ id: "s1" });
    for (const content of contents) store.messages.append("s1", { role: "user", content });
  }
  const backup = join(dir, name);
  const env = { COFFER_DB: lite, XDG_DATA_HOME: join(dir, "xdg-data") };
  expect(coffer(["backup", backup], { env }).code).toBe(0);
  return { dir, backup, env };
}

/** A refusal: exit `code`, nothing on stdout, one error line naming each of `names`, then hints only. */
function expectRefused(r: RunResult, code: number, ...names: string[]): void {
  expect(r.code).toBe(code);
  expect(r.stdout).toBe("");
  const [first = "", ...rest] = r.stderr.trimEnd().split("\n");
  expect(first).toStartWith("coffer: error: ");
  for (const name of names) expect(first).toContain(name);
  expect(rest.every((l) => l.startsWith("coffer: hint: "))).toBe(true);
}

/** Nothing under the data directory's backups/: no safety backup, no staged copy. */
function expectNoSafetyBackup(dir: string): void {
  const backups = join(dir, "xdg-data", "coffer", "backups");
  expect(existsSync(backups) ? readdirSync(backups) : []).toEqual([]);
}

describe.skipIf(!pg)("restore into PostgreSQL of text holding NUL", () => {
  test("exit 2 naming messages.content, before any safety backup; PostgreSQL unchanged", async () => {
    if (!pg) return;
    const { dir, backup, env } = backupOf(["fine", "before\u0000after"], "nul.db");
    expect(coffer(["verify", backup], { env }).code).toBe(0); // a valid coffer file

    const { url } = await freshDatabase(pg, "nul");
    const client = await connect(url);
    await client.sessions.create({ id: "keep-me" });
    await client.close();
    const before = await contents(url);

    const r = coffer(["restore", backup, "--yes"], { env: { ...env, COFFER_DB: url } });
    expectRefused(r, 2, "messages.content", "NUL");
    expect(r.stderr).not.toContain("before");
    expect(r.stderr).not.toContain(pg.password);
    expect(await contents(url)).toBe(before);
    expectNoSafetyBackup(dir);
  }, 60_000);
});

describe.skipIf(!pg)("restore into PostgreSQL of an integer past its column's range", () => {
  test("exit 5 naming jobs.priority, nothing written", async () => {
    if (!pg) return;
    const dir = tempDir();
    const lite = join(dir, "coffer.db");
    {
      using store = openStore({ path: lite });
      store.queue.enqueue("q", { n: 1 });
    }
    const backup = join(dir, "wide.db");
    const env = { COFFER_DB: lite, XDG_DATA_HOME: join(dir, "xdg-data") };
    expect(coffer(["backup", backup], { env }).code).toBe(0);
    // A schema-valid edit no coffer command makes: SQLite's INTEGER is 64-bit.
    const db = new Database(backup);
    db.run("UPDATE jobs SET priority = 4294967296");
    db.close();
    expect(coffer(["verify", backup], { env }).code).toBe(0);

    const { url } = await freshDatabase(pg, "wide");
    await (await connect(url)).close();
    const before = await contents(url);
    const r = coffer(["restore", backup, "--yes"], { env: { ...env, COFFER_DB: url } });
    expect(r.code).toBe(5);
    expect(r.stderr.trimEnd().split("\n")).toHaveLength(1);
    expect(r.stderr).toStartWith("coffer: error: ");
    expect(r.stderr).toContain("jobs.priority");
    expect(await contents(url)).toBe(before);
    expectNoSafetyBackup(dir);
  }, 60_000);
});

describe.skipIf(!pg)("restore into PostgreSQL of text that is not valid UTF-8", () => {
  test("exit 5 naming messages.content, nothing written, not U+FFFD in its place", async () => {
    if (!pg) return;
    const { dir, backup, env } = backupOf(["caf\u00e9 fine", "to be broken"], "bytes.db");
    // Bytes no coffer command writes: "hi", a lone 0xFF, "!".
    const db = new Database(backup);
    db.run(
      "UPDATE messages SET content = CAST(x'6869ff21' AS TEXT) WHERE content = 'to be broken'",
    );
    db.close();
    expect(coffer(["verify", backup], { env }).code).toBe(0); // SQLite itself finds nothing wrong

    const { url } = await freshDatabase(pg, "bytes");
    await (await connect(url)).close();
    const before = await contents(url);
    const r = coffer(["restore", backup, "--yes"], { env: { ...env, COFFER_DB: url } });
    expectRefused(r, 5, "messages.content", "UTF-8");
    expect(await contents(url)).toBe(before);
    expectNoSafetyBackup(dir);

    // The valid non-ASCII text alone restores, é intact.
    const fixed = new Database(backup);
    fixed.run("UPDATE messages SET content = 'mended' WHERE CAST(content AS BLOB) = x'6869ff21'");
    fixed.close();
    expect(coffer(["restore", backup, "--yes"], { env: { ...env, COFFER_DB: url } }).code).toBe(0);
    expect(await contents(url)).toContain("caf\u00e9 fine");
  }, 60_000);
});
