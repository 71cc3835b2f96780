// backup and restore never replace what is not a regular file (a symlink, a
// FIFO, a device: made here in a temp dir, never the system's own), `backup -`
// streams to a pipe, and a refused restore leaves no directory behind.

import { describe, expect, it } from "bun:test";
import { execFileSync } from "node:child_process";
import {
  existsSync,
  lstatSync,
  readFileSync,
  symlinkSync,
  truncateSync,
  writeFileSync,
} from "node:fs";
import { join } from "node:path";
import { bulkStore } from "../helpers/backup-faults.ts";
import { BINARY, baseEnv, coffer, ensureBinary, ROOT } from "../helpers/binary.ts";
import { dump, makeStore } from "../helpers/stores.ts";
import { tempDir } from "../helpers/tmp.ts";

function setup() {
  const dir = tempDir();
  const store = makeStore(dir);
  return { dir, store, db: ["--db", store] };
}

/** A FIFO, a symlink to a file, a dangling symlink, and (when mknod works) a null device of our own. */
function specials(dir: string): { name: string; path: string; is: () => boolean }[] {
  const victim = join(dir, "victim.txt");
  writeFileSync(victim, "keep me");
  execFileSync("mkfifo", [join(dir, "fifo")]);
  symlinkSync(victim, join(dir, "link"));
  symlinkSync(join(dir, "nowhere"), join(dir, "dangling"));
  const list = [
    { name: "a FIFO", path: join(dir, "fifo"), is: () => lstatSync(join(dir, "fifo")).isFIFO() },
    {
      name: "a symlink to a file",
      path: join(dir, "link"),
      is: () =>
        lstatSync(join(dir, "link")).isSymbolicLink() && readFileSync(victim, "utf8") === "keep me",
    },
    {
      name: "a dangling symlink",
      path: join(dir, "dangling"),
      is: () => lstatSync(join(dir, "dangling")).isSymbolicLink(),
    },
  ];
  try {
    execFileSync("mknod", [join(dir, "nul"), "c", "1", "3"], { stdio: "pipe" });
    list.push({
      name: "a character device",
      path: join(dir, "nul"),
      is: () => lstatSync(join(dir, "nul")).isCharacterDevice(),
    });
  } catch {
    console.warn("SKIPPED: mknod is not allowed here; the character device case does not run");
  }
  return list;
}

describe("backup PATH that exists and is not a regular file", () => {
  it("should be refused with exit 2, --force or not, and left as it was", () => {
    const { dir, db } = setup();
    for (const special of specials(dir)) {
      for (const force of [[], ["--force"]]) {
        const r = coffer([...db, "backup", special.path, ...force]);
        expect(r.code, `${special.name} ${force}`).toBe(2);
        expect(r.stderr).toMatch(/^coffer: error: .* not a regular file; not replacing it\n/);
        expect(special.is(), special.name).toBe(true);
      }
    }
  });
});

describe("restore onto a store path that is not a regular file", () => {
  it("should be refused with exit 7 and left as it was", () => {
    const { dir, db } = setup();
    const backup = join(dir, "b.db");
    expect(coffer([...db, "backup", backup]).code).toBe(0);
    // A symlink to a store file is followed (documented); one to a FIFO ends at a FIFO.
    const list = specials(dir).filter((s) => s.name !== "a symlink to a file");
    symlinkSync(join(dir, "fifo"), join(dir, "to-fifo"));
    const fifo = list.find((s) => s.name === "a FIFO");
    if (fifo) list.push({ ...fifo, name: "a symlink to a FIFO", path: join(dir, "to-fifo") });
    for (const special of list) {
      const r = coffer(["--db", special.path, "restore", backup, "--yes"]);
      expect(r.code, special.name).toBe(7);
      expect(r.stderr, special.name).toMatch(/^coffer: error: store path .* not a regular file/);
      expect(special.is(), special.name).toBe(true);
    }
    const nul = join(dir, "nul");
    if (existsSync(nul)) {
      // A store path that is a device is no store to back up either.
      expect(coffer(["--db", nul, "backup", join(dir, "c.db")]).code).toBe(7);
      expect(existsSync(join(dir, "c.db"))).toBe(false);
    }
  });
});

describe("backup -", () => {
  it("should stream the finished, checked backup to stdout", () => {
    const { dir, store } = setup();
    const out = join(dir, "piped.db");
    const r = Bun.spawnSync([ensureBinary(), "--db", store, "backup", "-"], {
      env: baseEnv(),
      stdout: Bun.file(out),
      stderr: "pipe",
    });
    expect(r.exitCode).toBe(0);
    expect(r.stderr.toString()).toMatch(/^Backup complete: .* written to stdout\n$/);
    expect(coffer(["verify", out]).code).toBe(0);
    expect(dump(out)).toEqual(dump(store));
    expect(coffer(["--db", store, "backup", "-", "--json"]).code).toBe(2);
  });

  it("should exit 7 when the reader goes away before the end", () => {
    const dir = tempDir();
    const store = bulkStore(dir, 4); // well past a pipe's buffer
    const sh = `"$0" --db "$1" backup - | head -c 100 >/dev/null; echo "\${PIPESTATUS[0]}"`;
    const r = Bun.spawnSync(["bash", "-c", sh, ensureBinary(), store], { env: baseEnv() });
    expect(r.stdout.toString().trim()).toBe("7");
    expect(r.stderr.toString()).toMatch(
      /coffer: error: write to stdout: EPIPE; the backup sent is incomplete/,
    );
  });

  it("should refuse a terminal with exit 2", () => {
    const { store } = setup();
    const r = Bun.spawnSync(
      ["python3", join(ROOT, "test/helpers/pty-run.py"), BINARY, "--db", store, "backup", "-"],
      { env: baseEnv({ PTY_ANSWERS: "[]" }), stdout: "pipe", stderr: "pipe", timeout: 30_000 },
    );
    const { output, status } = JSON.parse(r.stdout.toString());
    expect(status).toBe(2);
    expect(output).toMatch(/refusing to write a backup to a terminal/);
    expect(output).not.toMatch(/SQLite format 3/);
  });
});

describe("restore refusals change nothing", () => {
  it("should not create the store's directory when it refuses for want of --yes", () => {
    const { dir, db } = setup();
    const backup = join(dir, "b.db");
    expect(coffer([...db, "backup", backup]).code).toBe(0);
    const r = coffer(["--db", join(dir, "new", "sub", "coffer.db"), "restore", backup]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--yes/);
    expect(existsSync(join(dir, "new"))).toBe(false);
  });

  it("should describe a size that is not a whole number of pages in words", () => {
    const { dir, db } = setup();
    const backup = join(dir, "b.db");
    expect(coffer([...db, "backup", backup]).code).toBe(0);
    truncateSync(backup, 3 * 4096 + 904);
    const r = coffer(["verify", backup]);
    expect(r.code).toBe(5);
    expect(r.stdout).toMatch(/the file size 13192 is not a multiple of the page size 4096/);
    expect(r.stdout + r.stderr).not.toMatch(/\d\.\d+ pages/);
  });
});

describe("any command on a store path that is a FIFO or a device", () => {
  it("should be refused with exit 7 and leave it as it was", () => {
    const dir = tempDir();
    for (const special of specials(dir).filter((s) => !s.name.includes("symlink"))) {
      for (const args of [["status"], ["queue", "push", "q", "{}"]]) {
        const r = coffer(["--db", special.path, ...args], { timeoutMs: 10_000 });
        expect(r.code, `${special.name} ${args[0]}`).toBe(7);
        expect(r.stderr).toMatch(/^coffer: error: store path .* is not a regular file\n/);
        expect(special.is(), special.name).toBe(true);
      }
    }
  });
});
