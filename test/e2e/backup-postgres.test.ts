// Moving a store between engines with the real binary (SPEC §10): SQLite →
// backup → restore into PostgreSQL → backup → restore into SQLite loses
// nothing; a bad backup leaves PostgreSQL as it was; status on PostgreSQL.

import { describe, expect, test } from "bun:test";
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { SQL } from "bun";
import { pgLatestVersion } from "../../src/engines/postgres/migrations.ts";
import { connect } from "../../src/index.ts";
import { latestVersion, migrations } from "../../src/store/migrations.ts";
import { openStore } from "../../src/store/store.ts";
import { badBackups } from "../helpers/bad-backups.ts";
import { coffer } from "../helpers/binary.ts";
import { dumpStore } from "../helpers/pg-dump.ts";
import { freshDatabase, pgServer } from "../helpers/pg-server.ts";
import { finish, startFixture } from "../helpers/procs.ts";
import { tempDir } from "../helpers/tmp.ts";
import { cheapConfig, vaultEnv } from "../helpers/vault.ts";

const pg = await pgServer();

/** A SQLite store holding every kind of row, and a vault made by the CLI. */
function seedSqlite(dir: string): Record<string, string | undefined> {
  cheapConfig(dir);
  const env = vaultEnv(dir, { COFFER_PASSPHRASE_FILE: join(dir, "pass") });
  writeFileSync(join(dir, "pass"), "correct horse\n", { mode: 0o600 });
  const path = env.COFFER_DB as string;
  {
    using store = openStore({ path });
    store.sessions.create({ id: "s1", channel: "cli", userId: "ann", metadata: { z: 1, a: [] } });
    store.sessions.create({ id: "s-ü", channel: "web" });
    store.messages.append("s1", { role: "user", content: "héllo 🌍\nline two", tokenCount: 3 });
    store.messages.append("s1", { role: "assistant", content: "", metadata: { k: "v" } });
    store.messages.append("s-ü", { role: "tool", content: "x".repeat(5000) });
    // JSON kept as the text it was written as: spacing and key order survive.
    store.db.run(
      `INSERT INTO messages (session_id, role, content, metadata, created_at) VALUES ('s1', 'system', 'raw', '{"b": 1,  "a":[ 2 ]}', 5)`,
    );
    const q = store.queue;
    q.enqueue("jobs", { n: 1 });
    q.enqueue("jobs", { n: 2 }, { priority: 5, dedupeKey: "k2" });
    q.enqueue("dead", { n: 3 }, { maxAttempts: 1 });
    q.enqueue("jobs", { n: "ünï" }, { priority: -1 });
    q.enqueue("later", { n: 4 }, { delay: 3_600_000 });
    const acked = q.dequeue("jobs", { lease: 600_000 });
    q.ack(acked?.id as number, { token: acked?.leaseToken ?? undefined });
    const dead = q.dequeue("dead");
    q.fail(dead?.id as number, "boom: ünïcode", { token: dead?.leaseToken ?? undefined });
    q.dequeue("jobs", { lease: 600_000 }); // left processing, with its lease
    // The highest id ever handed out is purged: only sqlite_sequence remembers it.
    const gone = q.enqueue("gone", {});
    store.db.run("DELETE FROM jobs WHERE id = ?", [gone]);
  }
  for (const [name, value] of [
    ["api", "sk-live-ünïcode\n"],
    ["api", "second version"],
    ["SPACE_ONLY", " "],
  ] as const) {
    const r = coffer(["secret", "set", name, "--raw"], { env, stdin: value });
    expect(r.stderr).toContain(`stored ${name}`);
    expect(r.code).toBe(0);
  }
  return env;
}

function run(env: Record<string, string | undefined>, ...args: string[]) {
  const r = coffer(args, { env, timeoutMs: 60_000 });
  return r;
}

function ok(env: Record<string, string | undefined>, ...args: string[]): string {
  const r = run(env, ...args);
  if (r.code !== 0) throw new Error(`${args.join(" ")} => ${r.code}: ${r.stderr}`);
  return r.stdout;
}

function backupsIn(dir: string): string[] {
  const where = join(dir, "xdg-data", "coffer", "backups");
  return existsSync(where) ? readdirSync(where).filter((n) => !n.startsWith(".")) : [];
}

describe.skipIf(!pg)("backup and restore between SQLite and PostgreSQL", () => {
  test("SQLite → PostgreSQL → SQLite keeps every row, id and secret byte for byte", async () => {
    if (!pg) return;
    expect(pgLatestVersion).toBe(latestVersion);
    const dir = tempDir();
    const lite = seedSqlite(dir);
    const before = dumpStore(lite.COFFER_DB as string);
    expect(before.jobs?.length).toBe(5);
    expect(before.vault_entries?.length).toBe(3);
    const { url } = await freshDatabase(pg, "trip");
    const onPg = { ...lite, COFFER_DB: url };

    ok(lite, "backup", join(dir, "b1.db"));
    const restored = JSON.parse(ok(onPg, "--json", "restore", join(dir, "b1.db"), "--yes"));
    expect(restored.rows).toMatchObject({ sessions: 2, messages: 4, jobs: 5, vault_entries: 3 });
    // Even the first restore into an empty database keeps a (valid, private) safety backup.
    const safety = restored.safetyCopy as string;
    expect(statSync(safety).mode & 0o777).toBe(0o600);
    expect(statSync(join(safety, "..")).mode & 0o777).toBe(0o700);
    expect(run(lite, "verify", safety).code).toBe(0);

    // The CLI reads the same rows on both engines.
    for (const args of [
      ["--json", "session", "show", "s1"],
      ["--json", "session", "list"],
      ["--json", "queue", "list", "jobs"],
      ["--json", "queue", "list", "dead"],
      ["--json", "queue", "list", "later"],
    ]) {
      expect(ok(onPg, ...args)).toBe(ok(lite, ...args));
    }

    const backup2 = join(dir, "b2.db");
    const made = JSON.parse(ok(onPg, "--json", "backup", backup2));
    expect(made.method).toBe("postgres-snapshot");
    expect(statSync(backup2).mode & 0o777).toBe(0o600);
    expect(run(lite, "verify", backup2, "--passphrase-file", join(dir, "pass")).code).toBe(0);
    const back = { ...lite, COFFER_DB: join(dir, "back", "coffer.db") };
    ok(back, "restore", backup2, "--yes");
    expect(dumpStore(back.COFFER_DB as string)).toEqual(before);
    expect(ok(back, "secret", "get", "api", "--version", "1")).toBe("sk-live-ünïcode\n");
    expect(ok(back, "secret", "get", "api")).toBe("second version");
    expect(ok(back, "secret", "get", "SPACE_ONLY")).toBe(" ");

    // The sequences were reset: new rows on PostgreSQL get ids never used before.
    const seq = before.sqlite_sequence as { name: string; seq: string }[];
    const highestJob = Number(seq.find((r) => r.name === "jobs")?.seq.slice(0, -1));
    expect(highestJob).toBe(
      Math.max(...(before.jobs as { id: string }[]).map((j) => Number(j.id.slice(0, -1)))) + 1,
    );
    expect(JSON.parse(ok(onPg, "--json", "queue", "push", "jobs", "{}")).id).toBe(highestJob + 1);
    const client = await connect(url);
    try {
      const m = await client.messages.append("s1", { role: "user", content: "after" });
      expect(m.id).toBe((before.messages?.length ?? 0) + 1);
    } finally {
      await client.close();
    }
  }, 120_000);

  test("backup - on PostgreSQL streams a valid coffer file", async () => {
    if (!pg) return;
    const dir = tempDir();
    const { url } = await freshDatabase(pg, "stream");
    const client = await connect(url);
    await client.sessions.create({ id: "only" });
    await client.close();
    const out = join(dir, "streamed.db");
    const r = Bun.spawnSync([join(import.meta.dir, "../../dist/coffer"), "backup", "-"], {
      env: { PATH: process.env.PATH ?? "", HOME: dir, XDG_DATA_HOME: dir, COFFER_DB: url },
      stdout: Bun.file(out),
      stderr: "pipe",
    });
    expect(r.stderr.toString()).toContain("written to stdout");
    expect(r.exitCode).toBe(0);
    expect(coffer(["verify", out], { env: { HOME: dir } }).code).toBe(0);
    expect(dumpStore(out).sessions?.length).toBe(1);
    // Nothing is left behind in the data directory.
    expect(readdirSync(join(dir, "coffer", "backups"))).toEqual([]);
  });
});

describe.skipIf(!pg)("restore into PostgreSQL of an older schema", () => {
  test("migrates a private copy first, then restores it", async () => {
    if (!pg) return;
    const dir = tempDir();
    const old = join(dir, "old.db");
    {
      using store = openStore({ path: old, migrations: migrations.slice(0, 1) });
      // As the binary of version 1 wrote it: today's sessions.create knows later columns.
      store.db.run(
        `INSERT INTO sessions (id, metadata, created_at, updated_at) VALUES ('from-v1', '{"v":1}', 1, 1)`,
      );
    }
    const { url } = await freshDatabase(pg, "older");
    const env = { COFFER_DB: url, XDG_DATA_HOME: join(dir, "data") };
    const bytes = readFileSync(old);
    const r = JSON.parse(ok(env, "--json", "restore", old, "--yes"));
    expect(r).toMatchObject({ restoredVersion: 1, schemaVersion: latestVersion });
    const shown = JSON.parse(ok(env, "--json", "session", "show", "from-v1"));
    expect(JSON.stringify(shown)).toContain('"v":1');
    // The file given is left as it was.
    expect(readFileSync(old).equals(bytes)).toBe(true);
    expect(readdirSync(dir).sort()).toEqual(["data", "old.db"]);
  });
});

describe.skipIf(!pg)("restore into PostgreSQL refuses a bad backup", () => {
  test("exit 5 or 3, nothing changed, no safety backup; a good one writes one", async () => {
    if (!pg) return;
    const dir = tempDir();
    const lite = seedSqlite(dir);
    const good = join(dir, "good.db");
    ok(lite, "backup", good);
    const { url } = await freshDatabase(pg, "refuse");
    const onPg = { ...lite, COFFER_DB: url };
    const client = await connect(url);
    await client.sessions.create({ id: "keep-me", metadata: { mine: true } });
    await client.queue.enqueue("mine", { x: 1 });
    await client.close();
    const snapshot = async () => {
      const sql = new SQL(url, { max: 1 });
      try {
        const rows = await sql`SELECT
          (SELECT json_agg(s ORDER BY id)::text FROM coffer.sessions s) AS s,
          (SELECT json_agg(j ORDER BY id)::text FROM coffer.jobs j) AS j`;
        return JSON.stringify(rows[0]);
      } finally {
        await sql.close();
      }
    };
    const start = await snapshot();
    const cases = badBackups(dir, good);
    expect(cases.length).toBeGreaterThan(8);
    for (const bad of cases) {
      const r = run(onPg, "restore", bad.path, "--yes");
      expect(`${bad.name}: ${r.code}`).toBe(`${bad.name}: ${bad.code}`);
      expect(r.stderr).toStartWith("coffer: error: ");
      expect(r.stderr).toMatch(bad.message);
      expect(r.stderr).not.toContain(pg.password);
      expect(await snapshot()).toBe(start);
    }
    // No terminal and no --yes: exit 2, nothing changed.
    expect(run(onPg, "restore", good).code).toBe(2);
    expect(await snapshot()).toBe(start);
    expect(backupsIn(dir)).toEqual([]);

    const r = JSON.parse(ok(onPg, "--json", "restore", good, "--yes"));
    expect(await snapshot()).not.toBe(start);
    expect(backupsIn(dir)).toHaveLength(1);
    expect(statSync(r.safetyCopy).mode & 0o777).toBe(0o600);
    expect(run(lite, "verify", r.safetyCopy).code).toBe(0);
    // The safety backup holds what PostgreSQL held before the restore.
    const kept = dumpStore(r.safetyCopy);
    expect(kept.sessions).toMatchObject([{ id: "keep-me", metadata: '{"mine":true}' }]);
    expect(kept.jobs).toHaveLength(1);
    // Restoring it gives the old contents back.
    ok(onPg, "restore", r.safetyCopy, "--yes");
    expect(await snapshot()).toBe(start);
  }, 120_000);
});

describe.skipIf(!pg)("restore into PostgreSQL while a writer holds rows", () => {
  test("waits the busy timeout, then exit 6 with nothing changed", async () => {
    if (!pg) return;
    const dir = tempDir();
    const { url } = await freshDatabase(pg, "held");
    const client = await connect(url);
    await client.sessions.create({ id: "held" });
    await client.close();
    const empty = join(dir, "empty.db");
    const lite = join(dir, "e", "coffer.db");
    expect(coffer(["status"], { env: { COFFER_DB: lite } }).code).toBe(0);
    expect(coffer(["backup", empty], { env: { COFFER_DB: lite } }).code).toBe(0);
    writeFileSync(join(dir, "config.toml"), "[storage]\nbusy_timeout_ms = 300\n");
    const env = {
      COFFER_DB: url,
      COFFER_CONFIG: join(dir, "config.toml"),
      XDG_DATA_HOME: join(dir, "xdg-data"),
    };
    const holder = new SQL(url, { max: 1 });
    try {
      await holder.begin(async (tx) => {
        await tx`UPDATE coffer.sessions SET state = state WHERE id = 'held'`;
        const r = coffer(["restore", empty, "--yes"], { env });
        expect(r.code).toBe(6);
        expect(r.stderr).toStartWith("coffer: error: ");
      });
      const [row] = await holder`SELECT count(*)::int AS n FROM coffer.sessions`;
      expect(row?.n).toBe(1);
    } finally {
      await holder.close();
    }
    expect(backupsIn(dir)).toEqual([]);
  });
});

describe.skipIf(!pg)("status on PostgreSQL", () => {
  test("reports engine, server, schema, counts and vault, never the password", async () => {
    if (!pg) return;
    const dir = tempDir();
    const lite = seedSqlite(dir);
    ok(lite, "backup", join(dir, "b.db"));
    const { url } = await freshDatabase(pg, "status");
    const onPg = { ...lite, COFFER_DB: url };
    ok(onPg, "restore", join(dir, "b.db"), "--yes");
    const human = run(onPg, "status");
    expect(human.code).toBe(0);
    const json = run(onPg, "--json", "status");
    for (const r of [human, json]) {
      expect(r.stdout + r.stderr).not.toContain(pg.password);
    }
    expect(human.stdout).toContain("engine:        postgres");
    expect(human.stdout).not.toContain("journal mode");
    const s = JSON.parse(json.stdout);
    expect(s).toMatchObject({
      engine: "postgres",
      path: expect.stringContaining("coffer:***@127.0.0.1"),
      schema: "coffer",
      schemaVersion: pgLatestVersion,
      counts: {
        sessions: 2,
        messages: 4,
        jobs: { pending: 2, processing: 1, completed: 1, failed: 1 },
      },
      vault: { present: true, formatVersion: 1, entries: 2, versions: 3 },
    });
    expect(s.serverVersion).toMatch(/^\d+/);
    expect(s.vault.kdf).toMatchObject({ id: "argon2id-v19", memoryKiB: 19456, iterations: 2 });
    expect(s.sizeBytes).toBeUndefined();

    const mig = JSON.parse(ok(onPg, "--json", "migrate", "--status"));
    expect(mig).toHaveLength(pgLatestVersion);
    expect(mig.every((m: { appliedAt: number | null }) => m.appliedAt !== null)).toBe(true);
    expect(JSON.parse(ok(onPg, "--json", "migrate")).schemaVersion).toBe(pgLatestVersion);
  }, 60_000);

  test("wrong credentials are exit 4, an unreachable server exit 7", async () => {
    if (!pg) return;
    const wrong = pg.url.replace(`:${pg.password}@`, ":not-the-password@");
    for (const cmd of [
      ["status"],
      ["backup", "/tmp/never.db"],
      ["restore", "/tmp/x.db", "--yes"],
    ]) {
      const r = coffer(cmd, { env: { COFFER_DB: wrong } });
      expect(`${cmd[0]} ${r.code}`).toBe(`${cmd[0]} 4`);
      expect(r.stderr).not.toContain("not-the-password");
      const down = coffer(cmd, { env: { COFFER_DB: "postgres://u:secretpw@127.0.0.1:1/x" } });
      expect(`${cmd[0]} ${down.code}`).toBe(`${cmd[0]} 7`);
      expect(down.stderr).not.toContain("secretpw");
    }
    expect(existsSync("/tmp/never.db")).toBe(false);
  });
});

describe.skipIf(!pg)("backup from PostgreSQL while 4 processes write", () => {
  test("the file is one consistent snapshot and passes verify", async () => {
    if (!pg) return;
    const dir = tempDir();
    const { url } = await freshDatabase(pg, "busy");
    await (await connect(url)).close(); // migrated once, before the writers race to
    const stop = join(dir, "stop");
    const writers = [1, 2, 3, 4].map((i) => startFixture("pg-pair-writer", [url, `w${i}`, stop]));
    const env = { COFFER_DB: url, XDG_DATA_HOME: join(dir, "data") };
    const files: string[] = [];
    try {
      await waitForRows(url, 200);
      for (let i = 0; i < 3; i++) {
        const path = join(dir, `b${i}.db`);
        const r = coffer(["backup", path], { env, timeoutMs: 60_000 });
        expect(r.stderr).toContain("Backup complete");
        files.push(path);
      }
    } finally {
      writeFileSync(stop, "");
    }
    const last = await Promise.all(writers.map(finish));
    for (const w of last) expect(w.code).toBe(0);
    for (const path of files) {
      expect(coffer(["verify", path]).code).toBe(0);
      const dump = dumpStore(path);
      for (const i of [1, 2, 3, 4]) {
        const id = `w${i}`;
        const messages = (dump.messages as { session_id: string; content: string }[])
          .filter((m) => m.session_id === id)
          .map((m) => Number(m.content))
          .sort((a, b) => a - b);
        const jobs = (dump.jobs as { queue: string; payload: string }[])
          .filter((j) => j.queue === id)
          .map((j) => JSON.parse(j.payload).n as number)
          .sort((a, b) => a - b);
        // Each writer's pairs up to one point in time, none half-written.
        expect(jobs).toEqual(messages);
        expect(messages).toEqual(messages.map((_, k) => k + 1));
      }
    }
    // The writers kept going through the backups.
    const total = (dumpStore(files.at(-1) as string).messages ?? []).length;
    expect(total).toBeGreaterThan(200);
  }, 120_000);
});

async function waitForRows(url: string, n: number): Promise<void> {
  const sql = new SQL(url, { max: 1 });
  try {
    for (let i = 0; i < 600; i++) {
      const [row] = await sql`SELECT count(*)::int AS n FROM coffer.messages`;
      if (Number(row?.n) >= n) return;
      await Bun.sleep(50);
    }
    throw new Error(`fewer than ${n} messages after 30 s`);
  } finally {
    await sql.close();
  }
}
