// File-system failures on backup paths as coffer's errors (exit 7), and the
// kinds of file a backup or a restore must never replace.
// The errno and SQLite mappings themselves live in store/errno.ts and store/sqlite-errors.ts.

import type { Stats } from "node:fs";
import { CofferError } from "../errors.ts";
import { fsError, isErrnoError } from "../store/errno.ts";
import { fromSqliteError, isSqliteError } from "../store/sqlite-errors.ts";

/** `err` as a CofferError naming `action path`, when it is an I/O failure; anything else as it is. */
export function asIoError(err: unknown, action: string, path: string): unknown {
  if (err instanceof CofferError) return err;
  if (isSqliteError(err)) return fromSqliteError(err, `${action} ${path}`);
  if (isErrnoError(err)) return fsError(action, path, err);
  return err;
}

/** Runs `fn`, turning an I/O failure into an IoError that names `action path`. */
export function ioStep<T>(action: string, path: string, fn: () => T): T {
  try {
    return fn();
  } catch (err) {
    throw asIoError(err, action, path);
  }
}

/** "a symbolic link", "a FIFO"…: what a path that is not a regular file is. */
export function fileKind(st: Stats): string {
  if (st.isSymbolicLink()) return "a symbolic link";
  if (st.isDirectory()) return "a directory";
  if (st.isFIFO()) return "a FIFO";
  if (st.isCharacterDevice()) return "a character device";
  if (st.isBlockDevice()) return "a block device";
  if (st.isSocket()) return "a socket";
  return "not a regular file";
}
