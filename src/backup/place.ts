// Puts a finished, fsynced temp file at its final path in one atomic step,
// then syncs the directory so that the new name survives a crash.

import { linkSync, renameSync, unlinkSync } from "node:fs";
import { dirname } from "node:path";
import { UsageError } from "../errors.ts";
import { fsError, fsyncPath } from "../store/files.ts";

/**
 * Without `replace`, a hard link gives an atomic "create only if absent": a
 * file that appeared at `target` meanwhile is never overwritten.
 */
export function placeFile(temp: string, target: string, replace: boolean): void {
  try {
    if (replace) {
      renameSync(temp, target);
    } else {
      linkSync(temp, target);
      unlinkSync(temp);
    }
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "EEXIST") throw existsError(target);
    throw fsError("write", target, err);
  }
  fsyncPath(dirname(target)); // the rename survives a crash
}

export function existsError(target: string): UsageError {
  return new UsageError(`${target} already exists`, {
    hint: "pass --force to replace it, or choose another path",
  });
}
