// Puts a finished, fsynced temp file at its final path in one atomic step,
// then syncs the directory so that the new name survives a crash.

import { linkSync, lstatSync, renameSync, unlinkSync } from "node:fs";
import { dirname } from "node:path";
import { IoError, UsageError } from "../errors.ts";
import { fsError, fsyncPath } from "../store/files.ts";
import { fileKind, ioStep } from "./io-error.ts";

export function placeFile(temp: string, target: string, replace: boolean): void {
  moveInto(temp, target, replace);
  syncDirOf(target);
}

/**
 * Without `replace`, a hard link gives an atomic "create only if absent": a
 * file that appeared at `target` meanwhile is never overwritten. With it,
 * only a regular file is replaced: never a symlink, device, FIFO or socket.
 */
export function moveInto(temp: string, target: string, replace: boolean): void {
  try {
    if (replace) {
      const kind = nonRegularKind(target);
      if (kind) throw new IoError(`${target} is ${kind}, not a regular file; not replacing it`);
      renameSync(temp, target);
    } else {
      linkSync(temp, target);
      unlinkSync(temp);
    }
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "EEXIST") throw existsError(target);
    if (err instanceof IoError) throw err;
    throw fsError("write", target, err);
  }
}

/** Makes a rename into `target`'s directory survive a crash. */
export function syncDirOf(target: string): void {
  ioStep("sync", dirname(target), () => fsyncPath(dirname(target)));
}

/** What `path` is when it exists and is not a regular file (a symlink is not followed). */
export function nonRegularKind(path: string): string | undefined {
  let st: ReturnType<typeof lstatSync>;
  try {
    st = lstatSync(path);
  } catch {
    return undefined; // absent (or unreadable: the write itself reports that)
  }
  return st.isFile() ? undefined : fileKind(st);
}

export function existsError(target: string): UsageError {
  return new UsageError(`${target} already exists`, {
    hint: "pass --force to replace it, or choose another path",
  });
}
