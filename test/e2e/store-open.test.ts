// Opening a store: an edited migration history is refused (5), files coffer
// initializes are 0600 and others' access is warned about, and an I/O error
// nothing else caught is still exit 7.

import { Database } from "bun:sqlite";
import { describe, expect, it } from "bun:test";
import { chmodSync, copyFileSync, existsSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { BINARY, baseEnv, coffer } from "../helpers/binary.ts";
import { tempDir } from "../helpers/tmp.ts";

function newStore(): string {
  const path = join(tempDir(), "coffer.db");
  expect(coffer(["--db", path, "queue", "push", "q", "{}"]).code).toBe(0);
  return path;
}

function edit(path: string, sql: string): void {
  const db = new Database(path);
  db.run(sql);
  db.close();
}

describe("migration history", () => {
  it("should refuse a deleted coffer_migrations row at open with 5, naming it", () => {
    const path = newStore();
    edit(path, "DELETE FROM coffer_migrations WHERE version = 2");
    const r = coffer(["--db", path, "status"]);
    expect(r.code).toBe(5);
    expect(r.stderr).toMatch(/^coffer: error: .*migration 2 \(vault\) is not recorded as applied/);
  });

  it("should refuse a rolled-back user_version with 5, not migrate over the tables", () => {
    const path = newStore();
    edit(path, "PRAGMA user_version = 1");
    const r = coffer(["--db", path, "queue", "stats"]);
    expect(r.code).toBe(5);
    expect(r.stderr).toMatch(/user_version is 1 but migration 2 \(vault\) is recorded as applied/);
    expect(r.stderr).not.toMatch(/already exists/);
  });
});

describe("file modes", () => {
  it("should make an empty pre-existing store file 0600, and its -wal/-shm", () => {
    const path = join(tempDir(), "p.db");
    writeFileSync(path, "");
    chmodSync(path, 0o644);
    const r = coffer(["--db", path, "status"]);
    expect(r.code).toBe(0);
    expect(statSync(path).mode & 0o777).toBe(0o600);
    for (const f of [`${path}-wal`, `${path}-shm`]) {
      if (existsSync(f)) expect(statSync(f).mode & 0o777).toBe(0o600);
    }
  });

  it("should warn about an existing store and a passphrase file open to group or others", () => {
    const path = newStore();
    chmodSync(path, 0o644);
    const r = coffer(["--db", path, "queue", "stats"]);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(
      /^coffer: warning: store .*p?coffer\.db is open to group or others \(mode 0644\)/m,
    );
    const pass = join(tempDir(), "pass");
    writeFileSync(pass, "pw\n", { mode: 0o640 });
    chmodSync(pass, 0o640);
    const set = coffer(["--db", path, "secret", "set", "foo", "--passphrase-file", pass], {
      stdin: "v",
    });
    expect(set.code).toBe(0);
    expect(set.stderr).toMatch(
      /^coffer: warning: passphrase file .* is open to group or others \(mode 0640\)/m,
    );
    chmodSync(path, 0o600);
    chmodSync(pass, 0o600);
    const quiet = coffer(["--db", path, "secret", "get", "foo", "--passphrase-file", pass]);
    expect(quiet.code).toBe(0);
    expect(quiet.stderr).not.toMatch(/warning/);
  });
});

describe("I/O errors nothing else maps", () => {
  const strace = Bun.spawnSync(["strace", "-V"], { stdout: "ignore", stderr: "ignore" });
  if (strace.exitCode !== 0) console.warn("SKIP: strace is not installed");

  it("should be exit 7 saying I/O, never 1 'internal error', for EIO on any fsync of passwd", () => {
    if (strace.exitCode !== 0) return;
    const path = newStore();
    const env = { COFFER_PASSPHRASE: "pw", COFFER_NEW_PASSPHRASE: "pw2" };
    expect(coffer(["--db", path, "secret", "set", "foo"], { stdin: "v", env }).code).toBe(0);
    let failures = 0;
    for (let when = 1; when <= 6; when++) {
      const copy = join(tempDir(), "c.db");
      copyFileSync(path, copy);
      const inject = `inject=fsync,fdatasync:error=EIO:when=${when}`;
      const strace = ["strace", "-f", "-qq", "-o", "/dev/null", "-e", "trace=fsync,fdatasync"];
      const r = Bun.spawnSync([...strace, "-e", inject, BINARY, "--db", copy, "secret", "passwd"], {
        env: baseEnv(env),
        stderr: "pipe",
        stdout: "pipe",
      });
      const stderr = r.stderr.toString();
      expect(stderr).not.toMatch(/internal error/);
      if (r.exitCode !== 0) {
        failures++;
        expect(r.exitCode).toBe(7);
        expect(stderr).toMatch(/I\/O error/);
      }
    }
    expect(failures).toBeGreaterThan(0);
  });
});
