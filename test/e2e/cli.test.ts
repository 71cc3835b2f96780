// The compiled binary, run as a user would: exit codes, stdout, stderr, files.

import { Database } from "bun:sqlite";
import { beforeAll, describe, expect, it } from "bun:test";
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { openStore } from "../../src/index.ts";
import { latestVersion } from "../../src/store/migrations.ts";
import { coffer, ensureBinary, type RunResult } from "../helpers/binary.ts";
import { tempDir } from "../helpers/tmp.ts";

beforeAll(() => {
  ensureBinary();
});

/** One error line (and at most one hint), nothing on stdout, no stack trace. */
function expectOneLineError(r: RunResult, code: number, message: RegExp): void {
  expect(r.code).toBe(code);
  expect(r.stdout).toBe("");
  const lines = r.stderr.trimEnd().split("\n");
  expect(lines[0]).toMatch(/^coffer: error: /);
  expect(lines[0]).toMatch(message);
  expect(lines.length).toBeLessThanOrEqual(2);
  if (lines[1] !== undefined) expect(lines[1]).toMatch(/^coffer: hint: /);
  expect(r.stderr).not.toMatch(/\n\s+at /);
}

function storeIn(dir = tempDir()): {
  db: string;
  run: (args: string[], stdin?: string) => RunResult;
} {
  const db = join(dir, "coffer.db");
  return {
    db,
    run: (args, stdin) => coffer(["--db", db, ...args], stdin === undefined ? {} : { stdin }),
  };
}

describe("coffer binary", () => {
  it("should print its version and help", () => {
    expect(coffer(["--version"]).stdout).toMatch(/^coffer \d+\.\d+\.\d+\n$/);
    const help = coffer(["--help"]);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain("queue");
    const sub = coffer(["queue", "push", "--help"]);
    expect(sub.code).toBe(0);
    expect(sub.stdout).toContain("--dedupe-key");
    expect(sub.stdout).not.toContain("\u001b["); // no color when not a terminal
  });

  it("should create the store at the XDG path with private modes under any umask", () => {
    for (const umask of ["022", "000"]) {
      const home = tempDir();
      const data = join(home, "data");
      const r = Bun.spawnSync(
        ["sh", "-c", `umask ${umask}; exec "$0" status --json`, ensureBinary()],
        {
          env: { PATH: process.env.PATH ?? "", HOME: home, XDG_DATA_HOME: data },
        },
      );
      expect(r.exitCode).toBe(0);
      const status = JSON.parse(r.stdout.toString());
      const path = join(data, "coffer", "coffer.db");
      expect(status).toMatchObject({
        path,
        journalMode: "wal",
        schemaVersion: latestVersion,
        quickCheck: "ok",
      });
      expect(statSync(join(data, "coffer")).mode & 0o777).toBe(0o700);
      expect(statSync(path).mode & 0o777).toBe(0o600);
      expect(existsSync(`${path}-wal`)).toBe(false);
      expect(existsSync(`${path}-shm`)).toBe(false);
    }
  });

  it("should ignore a .env and a bunfig.toml in the working directory", () => {
    const cwd = tempDir();
    const home = tempDir();
    writeFileSync(join(cwd, ".env"), `COFFER_DB=${join(cwd, "evil.db")}\n`);
    writeFileSync(
      join(cwd, "evil.ts"),
      `require("fs").writeFileSync(${JSON.stringify(join(cwd, "pwned"))}, "x");`,
    );
    writeFileSync(join(cwd, "bunfig.toml"), 'preload = ["./evil.ts"]\n');
    const r = coffer(["status", "--json"], {
      cwd,
      env: { HOME: home, XDG_DATA_HOME: join(home, "d") },
    });
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).path).toBe(join(home, "d", "coffer", "coffer.db"));
    expect(existsSync(join(cwd, "evil.db"))).toBe(false);
    expect(existsSync(join(cwd, "pwned"))).toBe(false);
  });

  it("should prefer --db over COFFER_DB over the config file", () => {
    const dir = tempDir();
    const config = join(dir, "config.toml");
    writeFileSync(config, `[storage]\ndatabase_path = "${join(dir, "cfg.db")}"\n`);
    const env = { COFFER_CONFIG: config };
    expect(JSON.parse(coffer(["status", "--json"], { env }).stdout).path).toBe(join(dir, "cfg.db"));
    const withEnv = { ...env, COFFER_DB: join(dir, "env.db") };
    expect(JSON.parse(coffer(["status", "--json"], { env: withEnv }).stdout).path).toBe(
      join(dir, "env.db"),
    );
    const flag = coffer(["--db", join(dir, "flag.db"), "status", "--json"], { env: withEnv });
    expect(JSON.parse(flag.stdout).path).toBe(join(dir, "flag.db"));
  });
});

describe("queue commands", () => {
  it("should push, pop, ack and report a job through its life", () => {
    const { run, db } = storeIn();
    expect(run(["queue", "push", "mail", '{"to":"a@b"}']).stdout).toBe("1\n");
    expect(run(["queue", "push", "mail", "-", "--priority", "5"], '{"to":"c@d"}\n').stdout).toBe(
      "2\n",
    );
    const popped = run(["queue", "pop", "mail", "--lease", "60000"]);
    expect(popped.code).toBe(0);
    const job = JSON.parse(popped.stdout);
    expect(job).toMatchObject({
      id: 2,
      queue: "mail",
      payload: { to: "c@d" },
      status: "processing",
      attempts: 1,
    });
    expect(run(["queue", "ack", "2", "--token", "not-the-token"]).code).toBe(6);
    expect(run(["queue", "ack", "2", "--token", job.leaseToken]).code).toBe(0);
    expectOneLineError(run(["queue", "ack", "2"]), 6, /job 2 is not held: it is completed/);
    const stats = JSON.parse(run(["queue", "stats", "mail", "--json"]).stdout);
    expect(stats).toEqual({ queue: "mail", pending: 1, processing: 0, completed: 1, failed: 0 });
    expect(existsSync(`${db}-wal`)).toBe(false);
  });

  it("should stop quietly when the reader of its output goes away", () => {
    const { db } = storeIn();
    const store = openStore({ path: db });
    for (let i = 0; i < 3000; i++) store.queue.enqueue("q", { n: i, pad: "x".repeat(100) });
    store.close();
    const r = Bun.spawnSync(
      [
        "sh",
        "-c",
        `"$0" --db "$1" queue list q --limit 3000 | head -1; echo "rc=\${PIPESTATUS:-$?}"`,
        ensureBinary(),
        db,
      ],
      {
        env: { PATH: process.env.PATH ?? "" },
      },
    );
    const out = r.stdout.toString();
    expect(out).toMatch(/^ID\s+STATUS/);
    expect(r.stderr.toString()).toBe("");
    expect(existsSync(`${db}-wal`)).toBe(false);
  });

  it("should exit 3 when no job is due", () => {
    const { run } = storeIn();
    expectOneLineError(run(["queue", "pop", "empty"]), 3, /no job due in queue empty/);
    run(["queue", "push", "later", "{}", "--delay", "60000"]);
    expect(run(["queue", "pop", "later"]).code).toBe(3);
  });

  it("should fail a job with backoff, kill it after max attempts, and retry it", () => {
    const { run } = storeIn();
    run(["queue", "push", "q", '"x"', "--max-attempts", "2"]);
    run(["queue", "pop", "q"]);
    const first = JSON.parse(
      run(["queue", "fail", "1", "--error", "timeout", "--retry-in", "0", "--json"]).stdout,
    );
    expect(first).toMatchObject({ status: "pending", lastError: "timeout", attempts: 1 });
    run(["queue", "pop", "q"]);
    const dead = JSON.parse(
      run(["queue", "fail", "1", "--error", "timeout again", "--json"]).stdout,
    );
    expect(dead).toMatchObject({ status: "failed", attempts: 2 });
    const listed = JSON.parse(run(["queue", "list", "q", "--status", "failed", "--json"]).stdout);
    expect(listed.map((j: { id: number }) => j.id)).toEqual([1]);
    expect(JSON.parse(run(["queue", "retry", "--all", "q", "--json"]).stdout)).toEqual({
      queue: "q",
      retried: 1,
    });
    expect(JSON.parse(run(["queue", "pop", "q"]).stdout).attempts).toBe(1);
  });

  it("should extend a lease and refuse to extend one that is not held", () => {
    const { run } = storeIn();
    run(["queue", "push", "q", "1"]);
    run(["queue", "pop", "q", "--lease", "1000"]);
    const extended = JSON.parse(
      run(["queue", "extend", "1", "--lease", "120000", "--json"]).stdout,
    );
    expect(extended.lockedUntil - Date.now()).toBeGreaterThan(100_000);
    expectOneLineError(run(["queue", "extend", "99"]), 3, /no job 99/);
  });

  it("should dedupe and purge", () => {
    const { run } = storeIn();
    expect(run(["queue", "push", "q", "1", "--dedupe-key", "k"]).stdout).toBe("1\n");
    expect(run(["queue", "push", "q", "2", "--dedupe-key", "k"]).stdout).toBe("1\n");
    run(["queue", "pop", "q"]);
    run(["queue", "ack", "1"]);
    expect(JSON.parse(run(["queue", "purge", "--older-than", "0s", "--json"]).stdout)).toEqual({
      purged: 1,
    });
  });

  it("should refuse bad input with one line and the right exit code, changing nothing", () => {
    const { run, db } = storeIn();
    run(["queue", "push", "q", "1"]);
    expectOneLineError(run(["queue", "push", "q", "{not json"]), 2, /payload is not valid JSON/);
    expectOneLineError(
      run(["queue", "push", "q", "-"], "also not json"),
      2,
      /payload is not valid JSON/,
    );
    expectOneLineError(run(["queue", "push", "q", "1", "--bogus"]), 2, /unknown flag --bogus/);
    expectOneLineError(run(["queue", "pop"]), 2, /missing required positional argument: queue/);
    expectOneLineError(run(["queue", "ack", "abc"]), 2, /job id must be a positive integer/);
    expectOneLineError(
      run(["queue", "push", "q", "1", "--delay", "soon"]),
      2,
      /--delay must be an integer/,
    );
    expectOneLineError(run(["queue", "list", "q", "--status", "weird"]), 2, /invalid value/);
    expectOneLineError(
      run(["queue", "purge", "--older-than", "forever"]),
      2,
      /--older-than must be a duration/,
    );
    expectOneLineError(run(["queue", "frobnicate"]), 2, /unknown command 'frobnicate'/);
    expectOneLineError(run(["nonsense"]), 2, /unknown command 'nonsense'/);
    expectOneLineError(coffer(["status", "--db"]), 2, /--db needs a value/);
    const store = new Database(db, { readonly: true });
    expect((store.query("SELECT count(*) AS n FROM jobs").get() as { n: number }).n).toBe(1);
    store.close();
  });
});

describe("session commands", () => {
  it("should list, show and remove sessions written through the library", () => {
    const dir = tempDir();
    const path = join(dir, "coffer.db");
    const store = openStore({ path });
    store.sessions.create({ id: "chat-1", channel: "slack", state: "active" });
    store.sessions.create({ id: "chat-2", channel: "cli", state: "closed" });
    store.messages.append("chat-1", { role: "user", content: "hello" });
    store.messages.append("chat-1", { role: "assistant", content: "hi there" });
    store.close();
    const { run } = storeIn(dir);
    const listed = JSON.parse(run(["session", "list", "--state", "active", "--json"]).stdout);
    expect(listed.sessions.map((s: { id: string }) => s.id)).toEqual(["chat-1"]);
    expect(listed.next).toBeNull();
    expect(run(["session", "list"]).stdout).toMatch(/^ID\s+AGENT\s+CHANNEL/);
    const shown = JSON.parse(run(["session", "show", "chat-1", "--last", "1", "--json"]).stdout);
    expect(shown).toMatchObject({
      id: "chat-1",
      messageCount: 2,
      messages: [{ role: "assistant", content: "hi there" }],
    });
    expect(run(["session", "show", "chat-1"]).stdout).toContain("hello");
    expect(run(["session", "rm", "chat-1"]).code).toBe(0);
    expectOneLineError(run(["session", "show", "chat-1"]), 3, /no session chat-1/);
    expectOneLineError(run(["session", "rm", "chat-1"]), 3, /no session chat-1/);
  });
});

describe("bad stores and configs", () => {
  it("should refuse a store path that is a directory (7)", () => {
    expectOneLineError(coffer(["--db", tempDir(), "status"]), 7, /is a directory/);
  });

  it("should refuse an unwritable store path (7)", () => {
    const file = join(tempDir(), "file");
    writeFileSync(file, "x");
    expectOneLineError(coffer(["--db", join(file, "c.db"), "status"]), 7, /not a directory/);
  });

  it("should refuse a file that is not SQLite (5) and leave it alone", () => {
    const path = join(tempDir(), "notes.db");
    writeFileSync(path, "just some text, definitely not SQLite\n".repeat(100));
    expectOneLineError(coffer(["--db", path, "status"]), 5, /not a valid coffer store/);
    expect(Bun.file(path).size).toBe(3800);
  });

  it("should refuse another application's database (5)", () => {
    const path = join(tempDir(), "other.db");
    const other = new Database(path);
    other.run("CREATE TABLE t (x)");
    other.close();
    expectOneLineError(coffer(["--db", path, "status"]), 5, /not a coffer store/);
  });

  it("should refuse a store with a newer schema, naming both versions (5)", () => {
    const { run, db } = storeIn();
    run(["status"]);
    const raw = new Database(db);
    raw.run(`PRAGMA user_version = ${latestVersion + 1}`);
    raw.close();
    expectOneLineError(
      run(["status"]),
      5,
      new RegExp(
        `schema version ${latestVersion + 1} is newer than this coffer supports \\(${latestVersion}\\)`,
      ),
    );
  });

  it("should refuse a config with unknown keys or bad values, naming the key (2)", () => {
    const dir = tempDir();
    const config = join(dir, "config.toml");
    writeFileSync(config, "[storage]\ndatabase_pth = 'x'\n");
    expectOneLineError(
      coffer(["--config", config, "status"]),
      2,
      /storage\.database_pth: unknown key/,
    );
    writeFileSync(config, "[storage]\nbusy_timeout_ms = 'soon'\n");
    expectOneLineError(
      coffer(["--config", config, "status"]),
      2,
      /storage\.busy_timeout_ms: must be a number/,
    );
    expectOneLineError(
      coffer(["--config", join(dir, "missing.toml"), "status"]),
      3,
      /does not exist/,
    );
  });

  it("should read the config ahead, failing only a command that uses it", () => {
    const dir = tempDir();
    const config = join(dir, "config.toml");
    writeFileSync(config, "[storage]\nbusy_timeout_ms = 'soon'\n");
    const help = coffer(["--config", config, "queue", "--help"]);
    expect(help.code).toBe(0);
    expect(help.stderr).toBe("");
    expectOneLineError(coffer(["--config", config, "queue", "stats"]), 2, /busy_timeout_ms/);
    // A good one is parsed (its schema loads only then) and obeyed.
    const db = join(dir, "from-config.db");
    writeFileSync(config, `[storage]\ndatabase_path = ${JSON.stringify(db)}\n`);
    expect(coffer(["--config", config, "queue", "push", "q", "{}"]).code).toBe(0);
    expect(existsSync(db)).toBe(true);
    expect(coffer(["--config", config, "queue", "stats", "q", "--json"]).stdout).toContain(
      '"pending": 1',
    );
  });

  it("should show migrations with --status", () => {
    const { run } = storeIn();
    const list = JSON.parse(run(["migrate", "--status", "--json"]).stdout);
    expect(list[0]).toMatchObject({ version: 1, name: "init" });
    expect(list.every((m: { appliedAt: number | null }) => m.appliedAt !== null)).toBe(true);
    expect(run(["migrate"]).stdout).toBe(`schema is at version ${latestVersion}\n`);
  });

  it("should not leave a store behind when the directory cannot be created", () => {
    const dir = tempDir();
    mkdirSync(join(dir, "blocked"));
    writeFileSync(join(dir, "blocked", "coffer"), "a file where a directory should be");
    const r = coffer(["status"], { env: { XDG_DATA_HOME: join(dir, "blocked") } });
    expect(r.code).toBe(7);
  });
});

describe("status of a damaged store", () => {
  it("should print the report and exit 5 when the quick check fails", () => {
    const { run, db } = storeIn();
    const store = openStore({ path: db });
    for (let i = 0; i < 500; i++) store.queue.enqueue("q", { n: i, pad: "x".repeat(200) });
    store.close();
    // Scribble over a page in the middle of the jobs table, leaving page 1 (the schema) intact.
    const bytes = new Uint8Array(readFileSync(db));
    const page = 4096 * 10;
    bytes.fill(0x41, page + 8, page + 4096);
    writeFileSync(db, bytes);
    const r = run(["status"]);
    expect(r.code).toBe(5);
    expect(r.stdout).toMatch(/quick check:\s+(?!ok)/);
    expect(r.stderr).toMatch(/^coffer: error: the store failed its quick check/);
  });
});
