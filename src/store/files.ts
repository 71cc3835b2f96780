// File-system helpers for everything coffer creates: directories 0700 and
// files 0600 whatever the umask, and fsync of files and their directories.

import { chmodSync, closeSync, fsyncSync, mkdirSync, openSync, statSync } from "node:fs";
import { dirname } from "node:path";

export const DIR_MODE = 0o700;
export const FILE_MODE = 0o600;

/**
 * Creates the missing parents of `file` with mode 0700. Directories that
 * already exist are left as they are: they may be the user's own.
 */
export function ensureParentDir(file: string): void {
  const missing: string[] = [];
  let dir = dirname(file);
  while (!exists(dir)) {
    missing.push(dir);
    const parent = dirname(dir);
    if (parent === dir) break;
    dir = parent;
  }
  for (const created of missing.reverse()) {
    try {
      mkdirSync(created, { mode: DIR_MODE });
    } catch (err) {
      // A sibling process creating the same store got there first: its directory, its mode.
      if ((err as NodeJS.ErrnoException).code === "EEXIST" && isDirectory(created)) continue;
      throw err;
    }
    chmodSync(created, DIR_MODE); // mkdir honours the umask; chmod does not
  }
}

/** Creates `file` empty with mode 0600 if it does not exist yet. */
export function ensurePrivateFile(file: string): void {
  const fd = openSync(file, "a", FILE_MODE);
  try {
    const st = statSync(file);
    if ((st.mode & 0o777) !== FILE_MODE && st.size === 0) chmodSync(file, FILE_MODE);
  } finally {
    closeSync(fd);
  }
}

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

export function exists(path: string): boolean {
  try {
    statSync(path);
    return true;
  } catch {
    return false;
  }
}

export function fsyncPath(path: string): void {
  const fd = openSync(path, "r");
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/** Kept here for its callers: the mapping itself lives in errno.ts. */
export { fsError } from "./errno.ts";

/**
 * A warning when the regular file at `path` can be read or written by group
 * or others; undefined when it is private (or not a regular file: a pipe, a tty).
 */
export function exposureWarning(path: string, what: string): string | undefined {
  let mode: number;
  try {
    const st = statSync(path);
    if (!st.isFile()) return undefined;
    mode = st.mode & 0o777;
  } catch {
    return undefined; // the read that follows reports what is wrong
  }
  if ((mode & 0o077) === 0) return undefined;
  return `${what} ${path} is open to group or others (mode ${mode.toString(8).padStart(4, "0")}): chmod 600 ${path}`;
}

/** Calls `onWarning` with exposureWarning's warning, if there is one. */
export function warnIfExposed(
  path: string,
  what: string,
  onWarning: ((message: string) => void) | undefined,
): void {
  const warning = onWarning && exposureWarning(path, what);
  if (warning) onWarning(warning);
}
