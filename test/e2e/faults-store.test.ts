// A failing disk under the store: a full tmpfs (at close, at open), a
// read-only file system, directory and file, and EIO injected into reads with
// strace. I/O is exit 7 and says so; reads work wherever the file is readable.

import { afterAll, beforeAll, describe, expect, it } from "bun:test";
import {
  chmodSync,
  chownSync,
  closeSync,
  copyFileSync,
  existsSync,
  mkdirSync,
  openSync,
  statSync,
  writeSync,
} from "node:fs";
import { join } from "node:path";
import { openStore } from "../../src/store/store.ts";
import { BINARY, baseEnv, ensureBinary, type RunResult } from "../helpers/binary.ts";
import { tempDir } from "../helpers/tmp.ts";
import { asNobody, mountTmpfs, type Tmpfs } from "../helpers/tmpfs.ts";

const KiB = 1024;
const JOBS = 30;

function run(args: string[], prefix: string[] = [], env: Record<string, string> = {}): RunResult {
  const r = Bun.spawnSync([...prefix, BINARY, ...args], {
    env: baseEnv(env),
    stdin: "ignore",
    stdout: "pipe",
    stderr: "pipe",
    timeout: 60_000,
  });
  return { code: r.exitCode ?? 128, stdout: r.stdout.toString(), stderr: r.stderr.toString() };
}

/** A store holding JOBS pending jobs of ~3 KB each, closed cleanly. */
function seed(path: string): void {
  using store = openStore({ path });
  store.write(() => {
    for (let i = 0; i < JOBS; i++) store.queue.enqueue("q", { i, pad: "x".repeat(3000) });
  });
}

function pending(path: string, prefix: string[] = [], env: Record<string, string> = {}) {
  const r = run(["--db", path, "--json", "queue", "stats"], prefix, env);
  const rows = r.code === 0 ? (JSON.parse(r.stdout) as { pending: number }[]) : [];
  return { ...r, pending: rows[0]?.pending };
}

const size = (path: string) => (existsSync(path) ? statSync(path).size : -1);

let fs: Tmpfs | undefined;
let seeded: string;

beforeAll(() => {
  ensureBinary();
  fs = mountTmpfs(8 * 1024 * KiB, "full-disk and read-only file system tests");
  seeded = join(tempDir(), "seed.db");
  seed(seeded);
});

afterAll(() => fs?.unmount());

describe("a full disk", () => {
  it("should exit 7 when the close-time checkpoint fails, and exit 0 only with coffer.db complete", () => {
    if (!fs) return;
    const store = join(fs.dir, "coffer.db");
    let leftovers = 0;
    for (let free = 72 * KiB; free >= 52 * KiB; free -= 4 * KiB) {
      fs.unfill();
      copyFileSync(seeded, store);
      fs.fillTo(free);
      const r = run([
        "--db",
        store,
        "queue",
        "push",
        "q",
        JSON.stringify({ pad: "y".repeat(10_000) }),
      ]);
      fs.unfill();
      let committed = r.code === 0;
      if (size(`${store}-wal`) > 0) {
        // The job is committed in the -wal, coffer.db alone lacks it: that must not be exit 0.
        leftovers++;
        committed = true;
        expect(r.code).toBe(7);
        expect(r.stderr).toMatch(/^coffer: error: close .*checkpoint.*not a complete copy/m);
      } else if (r.code === 0) {
        const copy = join(tempDir(), "copy.db");
        copyFileSync(store, copy); // `cp coffer.db` after a clean exit is a full backup
        expect(pending(copy).pending).toBe(JOBS + 1);
      } else {
        expect(r.code).toBe(7);
        expect(r.stderr).toMatch(/disk full/);
      }
      // Once there is room, any command folds the -wal in and no job is lost.
      const after = pending(store);
      expect(after.code).toBe(0);
      expect(size(`${store}-wal`)).toBe(-1);
      expect(after.pending).toBe(committed ? JOBS + 1 : JOBS);
      for (const f of [store, `${store}-wal`, `${store}-shm`]) Bun.spawnSync(["rm", "-f", f]);
    }
    expect(leftovers).toBeGreaterThan(0); // the window was hit: the test proved something
  });

  it("should still read with too little room for the -shm, and refuse writes with 7", () => {
    if (!fs) return;
    const store = join(fs.dir, "full.db");
    copyFileSync(seeded, store);
    fs.fillTo(8 * KiB);
    try {
      const read = pending(store);
      expect(read.stderr).toBe("");
      expect(read.code).toBe(0);
      expect(read.pending).toBe(JOBS);
      expect(existsSync(`${store}-shm`)).toBe(false);
      const write = run(["--db", store, "queue", "push", "q", "{}"]);
      expect(write.code).toBe(7);
      expect(write.stderr).toMatch(/^coffer: error: write .*read-only: the disk is full$/m);
    } finally {
      fs.unfill();
    }
    expect(pending(store).pending).toBe(JOBS);
  });
});

describe("a read-only file system", () => {
  it("should read (immutable, as nothing can write it) and refuse writes with 7", () => {
    if (!fs) return;
    const store = join(fs.dir, "ro.db");
    copyFileSync(seeded, store);
    fs.setReadOnly(true);
    try {
      const read = pending(store);
      expect(read.code).toBe(0);
      expect(read.pending).toBe(JOBS);
      const status = run(["--db", store, "status"]);
      expect(status.code).toBe(0);
      const write = run(["--db", store, "queue", "push", "q", "{}"]);
      expect(write.code).toBe(7);
      expect(write.stderr).toMatch(/read-only: the file system is read-only/);
    } finally {
      fs.setReadOnly(false);
    }
    expect(existsSync(`${store}-wal`)).toBe(false);
  });
});

describe("a store the user cannot write (as nobody)", () => {
  const nobody = asNobody();
  if (!nobody)
    console.warn("SKIP read-only file and directory tests: setpriv cannot switch to nobody");

  function setUp(name: string): { dir: string; store: string; env: Record<string, string> } {
    const dir = join(tempDir(), name);
    mkdirSync(dir);
    const store = join(dir, "coffer.db");
    copyFileSync(seeded, store);
    chownSync(dir, 65534, 65534);
    chownSync(store, 65534, 65534);
    chmodSync(dir.replace(/\/[^/]+$/, ""), 0o755);
    return { dir, store, env: { HOME: dir } };
  }

  it("should read a 0444 store and leave no 0444 -wal or -shm behind", () => {
    if (!nobody) return;
    const { store, env } = setUp("ro-file");
    chmodSync(store, 0o444);
    const read = pending(store, nobody, env);
    expect(read.code).toBe(0);
    expect(read.pending).toBe(JOBS);
    const write = run(["--db", store, "queue", "push", "q", "{}"], nobody, env);
    expect(write.code).toBe(7);
    expect(write.stderr).toMatch(/read-only: the store file is not writable/);
    for (const f of [`${store}-wal`, `${store}-shm`]) {
      if (existsSync(f)) expect(statSync(f).mode & 0o777).toBe(0o600);
    }
    // The owner makes it writable again: the next write works.
    chmodSync(store, 0o600);
    expect(run(["--db", store, "queue", "push", "q", "{}"], nobody, env).code).toBe(0);
    expect(pending(store, nobody, env).pending).toBe(JOBS + 1);
  });

  it("should read a store in a read-only (0555) directory and refuse writes with 7", () => {
    if (!nobody) return;
    const { dir, store, env } = setUp("ro-dir");
    chmodSync(dir, 0o555);
    const read = pending(store, nobody, env);
    expect(read.code).toBe(0);
    expect(read.pending).toBe(JOBS);
    const write = run(["--db", store, "queue", "push", "q", "{}"], nobody, env);
    expect(write.code).toBe(7);
    expect(write.stderr).toMatch(/read-only: its directory is not writable/);
  });
});

describe("EIO on a read", () => {
  const strace = Bun.spawnSync(["strace", "-V"], { stdout: "ignore", stderr: "ignore" });
  if (strace.exitCode !== 0) console.warn("SKIP EIO tests: strace is not installed");

  it("should be exit 7 saying I/O, never 5 'not a valid store', at every read it hits", () => {
    if (strace.exitCode !== 0) return;
    const store = join(tempDir(), "c.db");
    seed(store);
    let hits = 0;
    for (let when = 3; when <= 14; when++) {
      const inject = ["strace", "-f", "-qq", "-o", "/dev/null"];
      inject.push("-e", "trace=pread64", "-e", `inject=pread64:error=EIO:when=${when}`);
      const r = pending(store, inject);
      if (r.code === 0) {
        expect(r.pending).toBe(JOBS);
        continue;
      }
      hits++;
      expect(r.code).toBe(7);
      expect(r.stderr).toMatch(/^coffer: error: .*I\/O error/);
      expect(r.stderr).not.toMatch(/not a valid coffer store/);
    }
    expect(hits).toBeGreaterThan(0);
    expect(pending(store).pending).toBe(JOBS); // the store itself is fine
  });

  it("should still be exit 5 when the data really is bad", () => {
    const store = join(tempDir(), "bad.db");
    seed(store);
    // Garbage over the b-tree header of every page past the schema's.
    const fd = openSync(store, "r+");
    for (let page = 3; page * 4096 < statSync(store).size; page++) {
      writeSync(fd, Buffer.from("garbage!garbage!"), 0, 16, page * 4096);
    }
    closeSync(fd);
    const r = run(["--db", store, "queue", "list", "q"]);
    expect(r.code).toBe(5);
    expect(r.stderr).toMatch(/not a valid coffer store/);
  });
});
