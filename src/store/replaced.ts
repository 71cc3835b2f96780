// A store that `coffer restore` swapped while this process was opening it:
// whatever SQLite then says (not a database, I/O error), it is a conflict
// with the restore (exit 6, retry), not damage and not a disk failure.

import { realpathSync, statSync } from "node:fs";
import { liveTempFor } from "../backup/temp-file.ts";
import { BusyError } from "../errors.ts";

export interface FileIdentity {
  dev: number;
  ino: number;
}

export function fileIdentity(path: string): FileIdentity | undefined {
  try {
    const { dev, ino } = statSync(path);
    return { dev, ino };
  } catch {
    return undefined;
  }
}

/**
 * The error to report instead of an open's failure when the file at `path`
 * is no longer the one opened (`before`), or a restore has its staged copy
 * beside it (the swap is under way); undefined otherwise.
 */
export function replacedDuringOpen(
  path: string,
  before: FileIdentity | undefined,
): BusyError | undefined {
  const now = fileIdentity(path);
  const swapped = before && now && (before.dev !== now.dev || before.ino !== now.ino);
  if (!swapped && !liveTempFor(resolved(path))) return undefined;
  return new BusyError(`the store ${path} was replaced by a restore while it was being opened`, {
    hint: "retry the command: the restored store is in place",
  });
}

function resolved(path: string): string {
  try {
    return realpathSync(path);
  } catch {
    return path;
  }
}
