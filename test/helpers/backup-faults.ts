// Faults for the backup and restore tests: the binary under strace with an
// injected errno, a small tmpfs (a real full disk), and bulky stores.

import { execFileSync } from "node:child_process";
import { mkdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { openStore } from "../../src/store/store.ts";
import { baseEnv, ensureBinary, type RunResult } from "./binary.ts";
import { makeStore } from "./stores.ts";
import { tempDir } from "./tmp.ts";

export const hasStrace = Bun.which("strace") !== null;

export interface Injection {
  /** e.g. "fsync", "pwrite64" or "fsync,fdatasync". */
  syscall: string;
  error: string;
  /** strace's when=: "1", "2+", …; default every call. */
  when?: string;
  /** Only calls on this path (strace -P), e.g. a directory's fsync. */
  path?: string;
}

/** Runs coffer under strace with one fault injected. */
export function cofferWithFault(args: string[], fault: Injection): RunResult {
  const inject = `inject=${fault.syscall}:error=${fault.error}${fault.when ? `:when=${fault.when}` : ""}`;
  const r = Bun.spawnSync(
    [
      "strace",
      "-f",
      "-qq",
      "-o",
      "/dev/null",
      ...(fault.path ? ["-P", fault.path] : []),
      "-e",
      `trace=${fault.syscall}`,
      "-e",
      inject,
      ensureBinary(),
      ...args,
    ],
    { env: baseEnv(), stdin: "ignore", stdout: "pipe", stderr: "pipe", timeout: 60_000 },
  );
  return { code: r.exitCode ?? -1, stdout: r.stdout.toString(), stderr: r.stderr.toString() };
}

/** Mounts a tmpfs of `size` at a new `dir/name`; undefined (after a visible warning) when it cannot. */
export function mountTmpfs(dir: string, name: string, size: string): string | undefined {
  const at = join(dir, name);
  mkdirSync(at);
  try {
    execFileSync("mount", ["-t", "tmpfs", "-o", `size=${size},mode=0700`, "tmpfs", at], {
      stdio: "pipe",
    });
    return at;
  } catch (err) {
    console.warn(`SKIPPED: cannot mount a tmpfs here (${String(err).split("\n")[0]})`);
    return undefined;
  }
}

export function unmount(at: string | undefined): void {
  if (at) execFileSync("umount", ["-l", at], { stdio: "ignore" });
}

/** A store at dir/name with `megabytes` MiB of message content on top of makeStore's rows. */
export function bulkStore(dir: string, megabytes: number, name = "coffer.db"): string {
  const path = makeStore(dir, name);
  using store = openStore({ path });
  const chunk = "b".repeat(1 << 20);
  store.write(() => {
    for (let i = 0; i < megabytes; i++) {
      store.db.run(
        "INSERT INTO messages (session_id, role, content, created_at) VALUES ('s-a', 'tool', ?, 0)",
        [chunk],
      );
    }
  });
  return path;
}

/**
 * Which call of `syscall` (strace's when=, counted per thread) is the first on
 * a file whose path matches `pattern`, in a dry run of the same command.
 */
export function firstCallOn(args: string[], syscall: string, pattern: RegExp): number | undefined {
  const log = join(tempDir(), "strace.log");
  Bun.spawnSync(
    ["strace", "-f", "-qq", "-y", "-o", log, "-e", `trace=${syscall}`, ensureBinary(), ...args],
    { env: baseEnv(), stdin: "ignore", stdout: "ignore", stderr: "ignore", timeout: 60_000 },
  );
  const calls = readFileSync(log, "utf8")
    .split("\n")
    .map((line) => /^(\d+)\s+(\w+)\(\d+<([^>]*)>/.exec(line))
    .filter((m) => m !== null && m[2] === syscall);
  const hit = calls.find((m) => pattern.test(m?.[3] ?? ""));
  if (!hit) return undefined;
  return calls.filter((m) => m?.[1] === hit[1]).indexOf(hit) + 1;
}
