// A small tmpfs for fault tests: a real full disk and a real read-only file
// system. Mounting needs root (or CAP_SYS_ADMIN); without it, tmpfs() warns
// visibly and returns undefined so the caller skips.

import { rmSync, statfsSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { tempDir } from "./tmp.ts";

export interface Tmpfs {
  dir: string;
  /** Bytes free for an unprivileged writer right now. */
  free(): number;
  /** Fills the file system until `bytes` (rounded to its 4 KiB pages) are free. */
  fillTo(bytes: number): void;
  /** Removes the filler. */
  unfill(): void;
  /** Remounts read-only (true) or read-write (false). */
  setReadOnly(readOnly: boolean): void;
  unmount(): void;
}

const FILLER = ".filler";

export function mountTmpfs(sizeBytes = 8 * 1024 * 1024, why = "this test"): Tmpfs | undefined {
  const dir = tempDir("coffer-tmpfs-");
  const mount = Bun.spawnSync(["mount", "-t", "tmpfs", "-o", `size=${sizeBytes}`, "tmpfs", dir], {
    stderr: "pipe",
  });
  if (mount.exitCode !== 0) {
    console.warn(
      `SKIP ${why}: cannot mount a tmpfs (${mount.stderr.toString().trim() || "not root?"})`,
    );
    return undefined;
  }
  const filler = join(dir, FILLER);
  const run = (args: string[]) => {
    const r = Bun.spawnSync(args, { stderr: "pipe" });
    if (r.exitCode !== 0) throw new Error(`${args.join(" ")}: ${r.stderr.toString()}`);
  };
  const fs: Tmpfs = {
    dir,
    free() {
      const st = statfsSync(dir);
      return Number(st.bavail) * Number(st.bsize);
    },
    fillTo(bytes) {
      fs.unfill();
      const size = fs.free() - bytes;
      if (size > 0) writeFileSync(filler, Buffer.alloc(size));
    },
    unfill() {
      rmSync(filler, { force: true });
    },
    setReadOnly(readOnly) {
      run(["mount", "-o", `remount,${readOnly ? "ro" : "rw"}`, dir]);
    },
    unmount() {
      Bun.spawnSync(["umount", "-l", dir]);
    },
  };
  return fs;
}

/** Runs argv as user nobody (setpriv), or returns undefined when that is not possible. */
export function asNobody(): string[] | undefined {
  const probe = Bun.spawnSync(
    ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", "true"],
    {
      stderr: "pipe",
    },
  );
  if (probe.exitCode !== 0) return undefined;
  return ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"];
}
