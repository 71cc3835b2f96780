// Temporary files beside their target: created 0600 and exclusively, named
// so that one left behind by a killed process is recognised and swept.

import { chmodSync, closeSync, openSync, readdirSync, rmSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import { FILE_MODE } from "../store/files.ts";

const TEMP_MARK = ".coffer-tmp-";

/** Whether a live process has a temp file for `target` (a restore's staged copy, for a store). */
export function liveTempFor(target: string): boolean {
  const prefix = `.${basename(target)}${TEMP_MARK}`;
  let names: string[];
  try {
    names = readdirSync(dirname(target));
  } catch {
    return false;
  }
  return names.some((name) => {
    if (!name.startsWith(prefix)) return false;
    const pid = Number(name.slice(prefix.length).split("-")[0]);
    return Number.isInteger(pid) && pid > 0 && pid !== process.pid && processAlive(pid);
  });
}

/** `dir/.NAME.coffer-tmp-PID-RANDOM`: hidden, beside `target`, on the same file system. */
export function tempPathFor(target: string, pid: number): string {
  const random = crypto.getRandomValues(new Uint32Array(1))[0]?.toString(36) ?? "0";
  return join(dirname(target), `.${basename(target)}${TEMP_MARK}${pid}-${random}`);
}

/** Creates `path` new (never an existing file) with mode 0600 whatever the umask; returns its fd. */
export function createPrivate(path: string): number {
  const fd = openSync(path, "wx+", FILE_MODE);
  try {
    chmodSync(path, FILE_MODE);
  } catch (err) {
    closeSync(fd);
    removeQuietly(path);
    throw err;
  }
  return fd;
}

export function removeQuietly(path: string): void {
  try {
    rmSync(path, { force: true });
  } catch {
    // Best effort: the caller is already reporting the real failure.
  }
}

/**
 * Removes the coffer temp files in `dir` whose process no longer runs (a
 * SIGKILL cannot be caught, so its temp file is swept by the next run).
 * Our own PID counts as gone: this process has not made its temp file yet, so
 * one with its PID was left by an earlier process that had the same PID.
 */
export function sweepStaleTemps(dir: string, isAlive: (pid: number) => boolean): string[] {
  const removed: string[] = [];
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return removed;
  }
  for (const name of names) {
    const mark = name.lastIndexOf(TEMP_MARK);
    if (!name.startsWith(".") || mark === -1) continue;
    const pid = Number(name.slice(mark + TEMP_MARK.length).split("-")[0]);
    if (Number.isInteger(pid) && pid > 0 && pid !== process.pid && isAlive(pid)) continue;
    const path = join(dir, name);
    removeQuietly(path);
    removed.push(path);
  }
  return removed;
}

/** Whether a process with this id exists (signal 0 checks without sending). */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === "EPERM";
  }
}
