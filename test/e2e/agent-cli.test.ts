// The agent model from the compiled binary: one script of every agent, doc,
// session and message command, run on a SQLite file and on PostgreSQL with the
// same output and exit codes; then the properties a shell agent relies on.

import { Database } from "bun:sqlite";
import { describe, expect, test } from "bun:test";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { SQL } from "bun";
import { BINARY, baseEnv, coffer, ensureBinary, type RunResult } from "../helpers/binary.ts";
import { freshDatabase, pgServer } from "../helpers/pg-server.ts";
import { tempDir } from "../helpers/tmp.ts";

const pg = await pgServer();
const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g;

function mask(text: string): string {
  return text
    .replace(/\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z/g, "<time>")
    .replace(/("\w*At":\s*)\d+/g, "$1<ms>")
    .replace(UUID, "<uuid>")
    .replace(/\/tmp\/coffer-test-\w+/g, "<dir>")
    .replace(/("next":\s*)"[^"]+"/g, '$1"<cursor>"')
    .replace(/--after [A-Za-z0-9_-]+/g, "--after <cursor>");
}

function cli(db: string) {
  const steps: string[] = [];
  const run = (args: string[], stdin?: string): RunResult => {
    const r = coffer(args, { env: { COFFER_DB: db }, ...(stdin === undefined ? {} : { stdin }) });
    steps.push(`${mask(args.join(" "))} => ${r.code}\n${mask(r.stdout)}${mask(r.stderr)}`);
    return r;
  };
  return { steps, run };
}

function script(db: string, dir: string): string[] {
  const { steps, run } = cli(db);
  const file = join(dir, "soul.md");
  writeFileSync(file, "be kind\r\n");
  run(["agent", "create", "bot", "--name", "Bot", "--metadata", '{"tier":1}']);
  run(["agent", "create", "bot"]);
  run(["agent", "create", "no/slash"]);
  run(["agent", "create", "x", "--metadata", "{nope"]);
  run(["agent", "set", "bot", "--status", "disabled", "--description", "helps"]);
  run(["agent", "set", "bot", "--status", "gone"]);
  run(["agent", "set", "ghost", "--status", "active"]);
  run(["--json", "agent", "list"]);
  run(["agent", "list", "--status", "active"]);
  run(["agent", "list", "--status", "nope"]);
  run(["doc", "put", "bot", "soul", file, "-m", "first"]);
  run(["doc", "put", "bot", "soul", "-"], "be kind\r\n");
  run(["doc", "put", "bot", "soul", "-"], "be kinder");
  run(["doc", "put", "ghost", "soul", file]);
  run(["doc", "get", "bot", "soul", "--version", "1"]);
  run(["doc", "get", "bot", "soul", "--version", "7"]);
  run(["doc", "history", "bot", "soul"]);
  run(["doc", "list", "bot"]);
  run(["agent", "show", "bot"]);
  const s1 = run([
    "session",
    "new",
    "--agent",
    "bot",
    "--metadata",
    '{"team":"red","n":2}',
  ]).stdout.trim();
  const s2 = run([
    "session",
    "new",
    "--channel",
    "web",
    "--user",
    "ann",
    "--ttl",
    "2w",
  ]).stdout.trim();
  run(["session", "new", "--agent", "ghost"]);
  run(["session", "new", "--ttl", "10 minutes"]);
  run(["session", "set", s2, "--state", "idle", "--metadata", '{"team":"blue"}']);
  run(["session", "set", "nope", "--state", "idle"]);
  run(["session", "list", "--where", "team=red"]);
  run(["session", "list", "--where", "team=blue", "--where", "n=2"]);
  run(["--json", "session", "list", "--agent", "bot", "--where", "n=2"]);
  run(["session", "list", "--limit", "1"]);
  run(["session", "list", "--after", "!bad"]);
  run(["session", "list", "--agent", "ghost"]);
  run(["message", "add", s1, "--role", "user", "the quick brown fox"]);
  run(["message", "add", s1, "--role", "assistant", "--tokens", "3", "-"], "fox fox fox\n");
  run(["message", "add", s1, "--role", "robot", "x"]);
  run(["message", "add", "nope", "--role", "user", "x"]);
  run(["message", "add", s2, "--role", "user", "a fox elsewhere"]);
  run(["message", "list", s1]);
  run(["--json", "message", "list", s1, "--last", "1"]);
  run(["message", "list", s1, "--after", "1"]);
  run(["message", "edit", s1, "1", "the lazy dog"]);
  run(["message", "show", s1, "1", "--revisions"]);
  run(["message", "show", s1, "99"]);
  run(["message", "search", "fox"]);
  run(["message", "search", "fox", "--agent", "bot"]);
  run(["--json", "message", "search", "fox", "--session", s2]);
  run(["message", "search", "?!"]);
  run(["message", "search", "fox", "--session", "nope"]);
  const fork = run(["session", "fork", s1, "--at", "1"]).stdout.trim();
  run(["message", "list", fork]);
  run(["session", "fork", s1, "--at", "3"]);
  run(["session", "show", fork]);
  const exported = run(["session", "export", s1]).stdout;
  const copy = run(["session", "import", "-"], exported).stdout.trim();
  run(["session", "import", "-"], '{"type":"message"}\n');
  run(["session", "export", copy]);
  run(["message", "pop", copy]);
  run(["message", "rm", copy, "1"]);
  run(["session", "prune", "--dry-run", "--state", "idle"]);
  run(["session", "prune", "--expired", "--idle", "30d"]);
  run(["session", "prune"]);
  run(["session", "prune", "--state", "idle"]);
  run(["agent", "rm", "bot"]);
  run(["--json", "agent", "rm", "bot", "--yes"]);
  run(["--json", "session", "list"]);
  run(["doc", "list", "bot"]);
  return steps;
}

describe.skipIf(!pg)("the agent model's commands on PostgreSQL", () => {
  test("give the same output and exit codes as on a SQLite file", async () => {
    if (!pg) return;
    ensureBinary();
    const sqlite = script(join(tempDir(), "c.db"), tempDir());
    const postgres = script((await freshDatabase(pg, "agentcli")).url, tempDir());
    const text = sqlite.join("\n");
    for (const seen of [
      "agent create bot => 6",
      "agent create no/slash => 2",
      "agent list --status nope => 2",
      "session list --agent ghost => 3",
      "message search fox --session nope => 3",
      "session new --agent ghost => 3",
      "session new --ttl 10 minutes => 2",
      "doc get bot soul --version 7 => 3",
      "a [fox] elsewhere",
      "--where team=blue --where n=2 => 0\nID",
      "session import - => 2",
      'agent rm bot --yes => 0\n{\n  "slug": "bot",\n  "sessions": 3,',
    ]) {
      expect(text).toContain(seen);
    }
    for (let i = 0; i < sqlite.length; i++) expect(postgres[i]).toBe(sqlite[i] as string);
    expect(postgres.length).toBe(sqlite.length);
  });
});

/** The SQLite file and, when a server is there, a PostgreSQL database. */
async function targets(): Promise<string[]> {
  const list = [join(tempDir(), "t.db")];
  if (pg) list.push((await freshDatabase(pg, "agentprops")).url);
  return list;
}

function rawGet(db: string, args: string[]): { code: number; bytes: Uint8Array } {
  const r = Bun.spawnSync([BINARY, ...args], {
    env: baseEnv({ COFFER_DB: db }),
    stdin: "ignore",
    stdout: "pipe",
    stderr: "pipe",
  });
  return { code: r.exitCode ?? -1, bytes: r.stdout };
}

describe("the agent model from a shell", () => {
  test("doc put/get keep exact bytes; a tampered row is exit 5", async () => {
    ensureBinary();
    for (const db of await targets()) {
      const file = join(tempDir(), "soul.md");
      const bytes = Buffer.from("\uFEFFline one\r\nünï 🦊\ttab\n\n  trailing  ", "utf8");
      writeFileSync(file, bytes);
      expect(coffer(["agent", "create", "bot"], { env: { COFFER_DB: db } }).code).toBe(0);
      expect(coffer(["doc", "put", "bot", "soul", file], { env: { COFFER_DB: db } }).code).toBe(0);
      const got = rawGet(db, ["doc", "get", "bot", "soul"]);
      expect([got.code, Buffer.from(got.bytes).equals(bytes)]).toEqual([0, true]);
      const bad = coffer(["doc", "put", "bot", "soul", "-"], {
        env: { COFFER_DB: db },
        stdin: new Uint8Array([0x61, 0xff]),
      });
      expect([bad.code, bad.stderr]).toEqual([
        2,
        "coffer: error: the document on stdin is not valid UTF-8 text\n",
      ]);
      await tamper(db, "UPDATE documents SET content = content || 'x'");
      const r = coffer(["doc", "get", "bot", "soul"], { env: { COFFER_DB: db } });
      expect(r.code).toBe(5);
      expect(r.stdout).toBe("");
      expect(r.stderr).toStartWith(
        "coffer: error: document bot/soul version 1 does not match its stored SHA-256\n",
      );
    }
  });

  test("export then import is exact but for ids", async () => {
    for (const db of await targets()) {
      const { run } = cli(db);
      const s = run([
        "session",
        "new",
        "--metadata",
        '{"deep":{"a":[1,2.5,"x"]}}',
        "--ttl",
        "1d",
      ]).stdout.trim();
      run(
        ["message", "add", s, "--role", "system", "--metadata", '{"k":"v"}', "-"],
        "multi\nline\r\n",
      );
      run(["message", "add", s, "--role", "tool", "--tokens", "7", "ünï"]);
      run(["message", "edit", s, "1", "edited"]);
      const text = run(["session", "export", s]).stdout;
      expect(text.split("\n")).toHaveLength(4);
      const copy = run(["session", "import", "-"], text).stdout.trim();
      expect(copy).not.toBe(s);
      expect(run(["session", "export", copy]).stdout).toBe(text);
    }
  });

  test("a cursor walk sees each session once while more are added", async () => {
    for (const db of await targets()) {
      const { run } = cli(db);
      for (let i = 0; i < 7; i++) run(["session", "new"]);
      const seen: string[] = [];
      let after: string[] = [];
      for (let pages = 0; pages < 10; pages++) {
        const page = JSON.parse(
          run(["--json", "session", "list", "--limit", "3", ...after]).stdout,
        );
        seen.push(...page.sessions.map((s: { id: string }) => s.id));
        run(["session", "new"]);
        if (page.next === null) break;
        after = ["--after", page.next];
      }
      expect(seen).toHaveLength(7);
      expect(new Set(seen).size).toBe(7);
    }
  });

  test("prune's dry run lists what would go and changes nothing", async () => {
    for (const db of await targets()) {
      const { run } = cli(db);
      const done = run(["session", "new"]).stdout.trim();
      run(["session", "new"]);
      run(["session", "set", done, "--state", "done"]);
      const dry = run(["session", "prune", "--state", "done", "--dry-run"]);
      expect([dry.stdout, dry.stderr]).toEqual([`${done}\n`, "coffer: would remove 1 sessions\n"]);
      expect(JSON.parse(run(["--json", "session", "list"]).stdout).sessions).toHaveLength(2);
      expect(run(["session", "prune", "--state", "done"]).stdout).toBe("1\n");
      expect(JSON.parse(run(["--json", "session", "list"]).stdout).sessions).toHaveLength(1);
    }
  });

  test("search ranks the denser match first and filters by agent and session", async () => {
    for (const db of await targets()) {
      const { run } = cli(db);
      run(["agent", "create", "bot"]);
      const a = run(["session", "new", "--agent", "bot"]).stdout.trim();
      const b = run(["session", "new"]).stdout.trim();
      run(["message", "add", a, "--role", "user", "one fox among many other words in a sentence"]);
      run(["message", "add", b, "--role", "user", "fox fox"]);
      const hits = (args: string[]) =>
        JSON.parse(run(["--json", "message", "search", ...args]).stdout).map(
          (h: { sessionId: string }) => h.sessionId,
        );
      expect(hits(["FOX"])).toEqual([b, a]);
      expect(hits(["fox", "--agent", "bot"])).toEqual([a]);
      expect(hits(["fox", "--session", b])).toEqual([b]);
      expect(hits(["fox sentence"])).toEqual([a]);
      expect(hits(["wolf"])).toEqual([]);
    }
  });
});

async function tamper(db: string, statement: string): Promise<void> {
  if (!db.startsWith("postgres")) {
    const raw = new Database(db);
    raw.run(statement);
    raw.close();
    return;
  }
  const sql = new SQL(db.replace(/\?.*$/, ""), { max: 1 });
  try {
    await sql.unsafe(`SET search_path = coffer; ${statement}`);
  } finally {
    await sql.close();
  }
}

describe.skipIf(!pg)("the agent model through backup and restore across engines", () => {
  test("a PostgreSQL backup is a SQLite file whose search index is full; restore brings it back", async () => {
    if (!pg) return;
    const dir = tempDir();
    const { url } = await freshDatabase(pg, "agentbackup");
    const { run } = cli(url);
    run(["agent", "create", "bot"]);
    run(["doc", "put", "bot", "soul", "-"], "hello\r\n");
    const s = run(["session", "new", "--agent", "bot"]).stdout.trim();
    run(["message", "add", s, "--role", "user", "find the fox"]);
    run(["message", "edit", s, "1", "find the wolf"]);
    const file = join(dir, "b.db");
    expect(coffer(["backup", file], { env: { COFFER_DB: url, XDG_DATA_HOME: dir } }).code).toBe(0);
    const lite = cli(file).run;
    const hits = (r: RunResult) => JSON.parse(r.stdout).map((h: { snippet: string }) => h.snippet);
    expect(hits(lite(["--json", "message", "search", "wolf"]))).toEqual(["find the [wolf]"]);
    expect(hits(lite(["--json", "message", "search", "fox"]))).toEqual([]);
    expect(rawGet(file, ["doc", "get", "bot", "soul"]).bytes).toEqual(Buffer.from("hello\r\n"));
    const { url: back } = await freshDatabase(pg, "agentrestore");
    const env = { COFFER_DB: back, XDG_DATA_HOME: dir };
    expect(coffer(["restore", file, "--yes"], { env }).code).toBe(0);
    const pgRun = cli(back).run;
    expect(hits(pgRun(["--json", "message", "search", "wolf"]))).toEqual(["find the [wolf]"]);
    const shown = JSON.parse(pgRun(["--json", "message", "show", s, "1", "--revisions"]).stdout);
    expect(shown.revisions.map((r: { content: string }) => r.content)).toEqual(["find the fox"]);
    expect(pgRun(["message", "add", s, "--role", "user", "next"]).stdout).toBe("2\n");
  });
});

// bun:sqlite opens in defensive mode (shadow tables read-only): Python's sqlite3 does the damage.
describe.skipIf(!Bun.which("python3"))("a damaged full-text index", () => {
  test("makes search exit 5 with one line, not an I/O error", () => {
    const db = join(tempDir(), "fts.db");
    const { run } = cli(db);
    const s = run(["session", "new"]).stdout.trim();
    for (const n of ["one", "two", "three"])
      run(["message", "add", s, "--role", "user", `fox ${n}`]);
    const py = `import sqlite3; d = sqlite3.connect(${JSON.stringify(db)}); d.execute("DELETE FROM messages_fts_docsize WHERE id = 2"); d.commit()`;
    expect(Bun.spawnSync(["python3", "-c", py]).exitCode).toBe(0);
    const r = run(["message", "search", "fox"]);
    expect([r.code, r.stdout]).toEqual([5, ""]);
    expect(r.stderr).toStartWith("coffer: error: the full-text index of messages is damaged\n");
  });
});
