// backup and restore on a failing disk (EIO and ENOSPC injected with strace,
// a real full tmpfs), an unreadable backup, a failure after restore's swap,
// and clients racing a restore: the right exit class, nothing half-written.

import { afterAll, describe, expect, it } from "bun:test";
import { chmodSync, copyFileSync, existsSync, readdirSync, rmSync } from "node:fs";
import { join } from "node:path";
import {
  bulkStore,
  cofferWithFault,
  firstCallOn,
  hasStrace,
  mountTmpfs,
  unmount,
} from "../helpers/backup-faults.ts";
import { BINARY, baseEnv, coffer, ensureBinary } from "../helpers/binary.ts";
import { dump, makeStore } from "../helpers/stores.ts";
import { tempDir } from "../helpers/tmp.ts";

if (!hasStrace)
  console.warn("SKIPPED: strace is not installed; the injected-fault cases do not run");

const mounts: (string | undefined)[] = [];
afterAll(() => {
  for (const at of mounts) unmount(at);
});

function setup() {
  const dir = tempDir();
  const store = makeStore(dir);
  return { dir, store, db: ["--db", store] };
}

const hidden = (dir: string) => readdirSync(dir).filter((n) => n.startsWith("."));

describe.skipIf(!hasStrace)("backup with an injected I/O error", () => {
  const cases = [
    {
      syscall: "fsync,fdatasync",
      error: "EIO",
      message: /fsync|write .*b\.db: input\/output error/,
    },
    // The first write to the backup's temp file (not the store's -shm before it).
    { syscall: "pwrite64", error: "ENOSPC", message: /write .*b\.db: no space left on device/ },
  ];
  for (const fault of cases) {
    it(`should exit 7 on ${fault.error} from ${fault.syscall}, leaving nothing at PATH`, () => {
      const { dir, store, db } = setup();
      const before = dump(store);
      const target = join(dir, "b.db");
      const args = [...db, "backup", target];
      const when =
        fault.syscall === "pwrite64" ? firstCallOn(args, "pwrite64", /coffer-tmp-/) : undefined;
      if (fault.syscall === "pwrite64") expect(when).toBeGreaterThan(0);
      rmSync(target, { force: true }); // the dry run's
      const r = cofferWithFault(args, { ...fault, when: when ? String(when) : undefined });
      expect(r.code, r.stderr).toBe(7);
      expect(r.stderr).toMatch(/^coffer: error: /);
      expect(r.stderr).toMatch(fault.message);
      expect(r.stderr).not.toMatch(/internal error|\n\s+at /);
      expect(existsSync(target)).toBe(false);
      expect(hidden(dir)).toEqual([]);
      expect(dump(store)).toEqual(before);
    });
  }
});

describe("a disk smaller than the store", () => {
  it("should make backup exit 7 with nothing left on the small disk", () => {
    const dir = tempDir();
    const small = mountTmpfs(dir, "small", "8m");
    mounts.push(small);
    if (!small) return;
    const store = bulkStore(dir, 12);
    const before = dump(store);
    const r = coffer(["--db", store, "backup", join(small, "b.db")]);
    expect(r.code, r.stderr).toBe(7);
    expect(r.stderr).toMatch(/^coffer: error: write .*b\.db: no space left on device/);
    expect(readdirSync(small)).toEqual([]);
    expect(dump(store)).toEqual(before);
  });

  it("should make restore exit 7 when the safety copy does not fit, the store untouched", () => {
    const dir = tempDir();
    const small = mountTmpfs(dir, "small", "8m");
    mounts.push(small);
    if (!small) return;
    // 3 MiB store + 3 MiB staged copy fit in 8 MiB; the 3 MiB safety copy does not.
    const original = bulkStore(dir, 3);
    const backup = join(dir, "b.db");
    expect(coffer(["--db", original, "backup", backup]).code).toBe(0);
    const store = join(small, "coffer.db");
    copyFileSync(original, store);
    const before = dump(store);
    const r = coffer(["--db", store, "restore", backup, "--yes"]);
    expect(r.code, r.stderr).toBe(7);
    expect(r.stderr).toMatch(/^coffer: error: write .*pre-restore: no space left on device/);
    expect(r.stderr).not.toMatch(/Restore complete/);
    expect(readdirSync(small)).toEqual(["coffer.db"]);
    expect(dump(store)).toEqual(before);
  });
});

describe("a backup the user cannot read", () => {
  it("should make verify and restore exit 7", () => {
    const { dir, store, db } = setup();
    const backup = join(dir, "b.db");
    expect(coffer([...db, "backup", backup]).code).toBe(0);
    chmodSync(backup, 0o000);
    chmodSync(dir, 0o755);
    const before = dump(store);
    // Root reads anything: run as nobody then.
    const asUser =
      process.getuid?.() === 0
        ? ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"]
        : [];
    for (const args of [
      ["verify", backup],
      [...db, "restore", backup, "--yes"],
    ]) {
      const r = Bun.spawnSync([...asUser, ensureBinary(), ...args], {
        env: baseEnv({ HOME: dir }),
        stderr: "pipe",
      });
      expect(r.exitCode, r.stderr.toString()).toBe(7);
      expect(r.stderr.toString()).toMatch(/^coffer: error: read .*b\.db: permission denied/);
    }
    expect(dump(store)).toEqual(before);
  });
});

describe.skipIf(!hasStrace)("restore failing after the swap", () => {
  it("should say the store is now the restored one and where the old one is kept", () => {
    // Fail each fsync of the store's directory in turn: before the swap nothing
    // changes; after it, the error says so, and no success line is printed.
    let sawAfterSwap = false;
    for (let when = 1; when <= 4; when++) {
      const { dir, store, db } = setup();
      const backup = join(dir, "b.db");
      expect(coffer([...db, "backup", backup]).code).toBe(0);
      coffer([...db, "queue", "push", "later", "{}"]);
      const old = dump(store);
      const fault = { syscall: "fsync", error: "EIO", when: String(when), path: dir };
      const r = cofferWithFault([...db, "restore", backup, "--yes"], fault);
      if (r.code === 0) continue; // fewer directory fsyncs than `when`
      expect(r.code, r.stderr).toBe(7);
      expect(r.stderr).not.toMatch(/Restore complete/);
      if (/is now the restored backup/.test(r.stderr)) {
        sawAfterSwap = true;
        expect(r.stderr).toMatch(
          /^coffer: error: .*; the store .*coffer\.db is now the restored backup\ncoffer: hint: the old store is kept as .*coffer\.db\.pre-restore\n$/,
        );
        expect(dump(store)).toEqual(dump(backup));
        expect(dump(`${store}.pre-restore`)).toEqual(old);
      } else {
        expect(dump(store), r.stderr).toEqual(old);
      }
    }
    expect(sawAfterSwap).toBe(true);
  });
});

describe("clients racing a restore", () => {
  it("should give every command exit 0 or 6 (a conflict), never 5 or 7, and let restores through", async () => {
    ensureBinary();
    const { dir, store } = setup();
    const backup = join(dir, "b.db");
    expect(coffer(["--db", store, "backup", backup]).code).toBe(0);
    const run = async (args: string[]) => {
      const p = Bun.spawn([BINARY, "--db", store, ...args], {
        env: baseEnv(),
        stdout: "ignore",
        stderr: "pipe",
      });
      const stderr = await new Response(p.stderr).text();
      return { code: await p.exited, stderr };
    };
    const seen: { who: string; code: number; stderr: string }[] = [];
    let restoring = true;
    const restores = (async () => {
      for (let i = 0; i < 15; i++)
        seen.push({ who: "restore", ...(await run(["restore", backup, "--yes"])) });
      restoring = false;
    })();
    const client = async () => {
      while (restoring) seen.push({ who: "client", ...(await run(["queue", "push", "q", "{}"])) });
    };
    await Promise.all([restores, client(), client(), client()]);
    const unexpected = seen.filter((s) => s.code !== 0 && s.code !== 6);
    expect(unexpected).toEqual([]);
    // Restore waits (up to the busy timeout) for short commands to let go: three
    // clients back to back held off 11 to 13 restores of 15 when it did not.
    const restored = seen.filter((s) => s.who === "restore" && s.code === 0).length;
    expect(restored).toBeGreaterThanOrEqual(12);
  });
});
