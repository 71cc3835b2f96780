// File-system helpers for everything coffer creates: directories 0700 and
// files 0600 whatever the umask, and fsync of files and their directories.

import { chmodSync, closeSync, fsyncSync, mkdirSync, openSync, statSync } from "node:fs";
import { dirname } from "node:path";
import { IoError } from "../errors.ts";

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

/** Maps a Node file-system error to coffer's I/O or not-found error. */
export function fsError(action: string, path: string, err: unknown): IoError {
  const code = (err as NodeJS.ErrnoException)?.code ?? "unknown";
  const reasons: Record<string, string> = {
    EACCES: "permission denied",
    EPERM: "operation not permitted",
    EROFS: "read-only file system",
    ENOSPC: "no space left on device",
    EIO: "input/output error",
    EISDIR: "is a directory",
    ENOTDIR: "a parent is not a directory",
    ENOENT: "no such file or directory",
  };
  return new IoError(`${action} ${path}: ${reasons[code] ?? code}`, { cause: err });
}
