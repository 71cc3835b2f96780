// coffer backup / verify / restore as a user runs them: exit codes, the
// summary line, --json, and the stock sqlite3 shell reading the result.

import { describe, expect, it } from "bun:test";
import { existsSync, mkdirSync, readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { backupStore } from "../../src/backup/backup.ts";
import { latestVersion } from "../../src/store/migrations.ts";
import { openStore } from "../../src/store/store.ts";
import { badBackups } from "../helpers/bad-backups.ts";
import { baseEnv, coffer, ensureBinary } from "../helpers/binary.ts";
import { startFixture } from "../helpers/spawn.ts";
import { bytesOf, dump, makeStore } from "../helpers/stores.ts";
import { tempDir } from "../helpers/tmp.ts";

const hasSqlite3 = Bun.which("sqlite3") !== null;

function setup() {
  const dir = tempDir();
  const store = makeStore(dir);
  return { dir, store, db: ["--db", store] };
}

describe("coffer backup", () => {
  it("should write a timestamped backup and print the summary line on stderr", () => {
    const { dir, db } = setup();
    const r = coffer([...db, "backup"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe("");
    expect(r.stderr).toMatch(
      /^Backup complete: \d+\.\d (kB|MB) written to .*\/backups\/coffer-\d{8}T\d{6}Z\.db\n$/,
    );
    expect(readdirSync(join(dir, "backups"))).toHaveLength(1);
  });

  it("should give path, bytes, duration and schema version with --json", () => {
    const { dir, db } = setup();
    const r = coffer([...db, "backup", join(dir, "b.db"), "--json"]);
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out).toMatchObject({ path: join(dir, "b.db"), schemaVersion: latestVersion });
    expect(out.bytes).toBeGreaterThan(0);
    expect(typeof out.durationMs).toBe("number");
  });

  it("should refuse an existing PATH with exit 2 unless --force", () => {
    const { dir, db } = setup();
    writeFileSync(join(dir, "b.db"), "mine");
    const r = coffer([...db, "backup", join(dir, "b.db")]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^coffer: error: .*already exists\ncoffer: hint: pass --force/);
    expect(bytesOf(join(dir, "b.db")).toString()).toBe("mine");
    expect(coffer([...db, "backup", join(dir, "b.db"), "--force"]).code).toBe(0);
  });

  it("should exit 3 for a missing store or target directory, leaving nothing", () => {
    const { dir, db } = setup();
    expect(coffer([...db, "backup", join(dir, "no", "b.db")]).code).toBe(3);
    expect(coffer(["--db", join(dir, "none.db"), "backup", join(dir, "b.db")]).code).toBe(3);
    expect(readdirSync(dir)).toEqual(["coffer.db"]);
  });

  it("should exit 7 for a target in a read-only directory, leaving nothing", () => {
    const { dir, db } = setup();
    // Root ignores directory modes; sysfs refuses new files even to root.
    let ro = "/sys";
    if (process.getuid?.() !== 0) {
      ro = join(dir, "ro");
      mkdirSync(ro, { mode: 0o500 });
    }
    const before = readdirSync(ro);
    const r = coffer([...db, "backup", join(ro, "b.db")]);
    expect(r.code).toBe(7);
    expect(r.stderr).toMatch(/^coffer: error: create .*: permission denied/);
    expect(readdirSync(ro)).toEqual(before);
  });

  it.skipIf(!hasSqlite3)("should open and check clean in the stock sqlite3 shell", () => {
    const { dir, db } = setup();
    const target = join(dir, "b.db");
    expect(coffer([...db, "backup", target]).code).toBe(0);
    const shell = Bun.spawnSync([
      "sqlite3",
      target,
      "PRAGMA integrity_check; PRAGMA journal_mode; SELECT count(*) FROM messages;",
    ]);
    expect(shell.exitCode).toBe(0);
    expect(shell.stdout.toString()).toBe("ok\ndelete\n20\n");
    expect(existsSync(`${target}-wal`)).toBe(false);
  });
});

describe("backupStore in a process that has the store open", () => {
  it("should leave that process's own locks in place", async () => {
    const { dir, store } = setup();
    using open = openStore({ path: store });
    open.sessions.create({ id: "still-open" });
    await backupStore({ source: store, target: join(dir, "b.db") });
    await backupStore({ source: store, target: join(dir, "c.db") });
    // Closing any descriptor of the store would have dropped this process's
    // POSIX locks, and another process would then see the store as free.
    const config = join(dir, "config.toml");
    writeFileSync(config, "[storage]\nbusy_timeout_ms = 300\n"); // the restore waits no longer than that
    const r = coffer(["--config", config, "--db", store, "restore", join(dir, "b.db"), "--yes"]);
    expect(r.code).toBe(6);
  });
});

describe("coffer verify", () => {
  it("should report every check and exit 0 for a good backup", () => {
    const { dir, db } = setup();
    coffer([...db, "backup", join(dir, "b.db")]);
    const r = coffer(["verify", join(dir, "b.db")]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^ok\s+integrity_check\s+ok$/m);
    const json = JSON.parse(coffer(["verify", join(dir, "b.db"), "--json"]).stdout);
    expect(json.ok).toBe(true);
    expect(json.checks.length).toBeGreaterThan(5);
  });

  it("should exit 5 with the failed check named, changing nothing", () => {
    const { dir, db } = setup();
    coffer([...db, "backup", join(dir, "b.db")]);
    const bad = badBackups(dir, join(dir, "b.db")).find(
      (b) => b.name === "trigger calling a function",
    );
    if (!bad) throw new Error("fixture missing");
    const before = bytesOf(bad.path);
    const r = coffer(["verify", bad.path]);
    expect(r.code).toBe(5);
    expect(r.stdout).toMatch(/^FAIL\s+schema\s+unexpected trigger 'evil'$/m);
    expect(r.stderr).toMatch(/^coffer: error: .* is not a valid coffer backup: schema:/);
    expect(bytesOf(bad.path).equals(before)).toBe(true);
    expect(coffer(["verify", join(dir, "nope.db")]).code).toBe(3);
  });
});

describe("coffer verify and a damaged full-text index", () => {
  it("should check FTS5's index on a private copy: exit 5, the file unchanged, no copy left", () => {
    const { dir, db } = setup();
    coffer([...db, "backup", join(dir, "b.db")]);
    const env = { XDG_DATA_HOME: join(dir, "xdg") };
    const good = coffer(["verify", join(dir, "b.db")], { env });
    expect(good.code).toBe(0);
    expect(good.stdout).toMatch(/^ok\s+fts integrity-check\s+the full-text index matches/m);
    const bad = badBackups(dir, join(dir, "b.db")).find((b) => b.needsWrite);
    if (!bad) throw new Error("fixture missing");
    const before = bytesOf(bad.path);
    const r = coffer(["verify", bad.path], { env });
    expect(r.code).toBe(5);
    expect(r.stdout).toMatch(/^FAIL\s+fts integrity-check\s+the full-text index of messages/m);
    expect(r.stderr).toMatch(bad.message);
    expect(bytesOf(bad.path).equals(before)).toBe(true);
    expect(readdirSync(join(dir, "xdg", "coffer", "backups"))).toEqual([]);
  });
});

describe("coffer restore", () => {
  it("should exit 2 without a terminal and without --yes, after validating, changing nothing", () => {
    const { dir, store, db } = setup();
    coffer([...db, "backup", join(dir, "b.db")]);
    const before = bytesOf(store);
    const r = coffer([...db, "restore", join(dir, "b.db")]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--yes/);
    expect(bytesOf(store).equals(before)).toBe(true);
    expect(readdirSync(dir).sort()).toEqual(["b.db", "coffer.db"]);
  });

  it("should refuse each invalid backup with its exit code before asking", () => {
    const { dir, store, db } = setup();
    coffer([...db, "backup", join(dir, "b.db")]);
    const before = bytesOf(store);
    for (const bad of badBackups(dir, join(dir, "b.db"))) {
      const r = coffer([...db, "restore", bad.path]); // no --yes: validation comes first
      expect(r.code, bad.name).toBe(bad.code);
      expect(r.stderr, bad.name).toMatch(/^coffer: error: /);
      expect(bytesOf(store).equals(before), bad.name).toBe(true);
    }
  });

  it("should restore with --yes and keep a safety copy", () => {
    const { dir, store, db } = setup();
    coffer([...db, "backup", join(dir, "b.db")]);
    coffer([...db, "queue", "push", "later", "{}"]);
    const r = coffer([...db, "restore", join(dir, "b.db"), "--yes"]);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(
      /^Restore complete: .* \(the old store is kept as .*coffer\.db\.pre-restore\)\n$/,
    );
    expect(dump(store)).toEqual(dump(join(dir, "b.db")));
    expect(coffer([...db, "queue", "stats", "later", "--json"]).code).toBe(0);
  });

  it("should exit 6 while another process keeps the store open past the busy timeout", async () => {
    const { dir, store, db } = setup();
    coffer([...db, "backup", join(dir, "b.db")]);
    const config = join(dir, "config.toml");
    writeFileSync(config, "[storage]\nbusy_timeout_ms = 400\n");
    const holder = await startFixture("hold-store.ts", [store, "hold"]);
    try {
      const before = bytesOf(store);
      const began = performance.now();
      const r = coffer(["--config", config, ...db, "restore", join(dir, "b.db"), "--yes"]);
      const waited = performance.now() - began;
      expect(r.code).toBe(6);
      expect(r.stderr).toMatch(/in use by another process/);
      expect(bytesOf(store).equals(before)).toBe(true);
      expect(waited).toBeGreaterThanOrEqual(350); // it waited for the store, as long as configured
    } finally {
      await holder.kill();
    }
  });

  it("should wait for a process that lets go of the store, then restore", async () => {
    const { dir, store, db } = setup();
    coffer([...db, "backup", join(dir, "b.db")]);
    coffer([...db, "queue", "push", "after-backup", "{}"]);
    const holder = await startFixture("hold-store.ts", [store, "hold"]);
    const restore = Bun.spawn([ensureBinary(), ...db, "restore", join(dir, "b.db"), "--yes"], {
      env: baseEnv(),
      stdout: "ignore",
      stderr: "pipe",
    });
    // Long enough that the restore has staged and checked its copy and is
    // waiting for the lock, well within the 5 s it waits by default.
    await Bun.sleep(1500);
    await holder.kill();
    const stderr = await new Response(restore.stderr).text();
    expect(await restore.exited, stderr).toBe(0);
    expect(stderr).toMatch(/^Restore complete/);
    expect(dump(store)).toEqual(dump(join(dir, "b.db")));
  });
});
