// File-system failures on backup paths as coffer's errors (exit 7), and the
// kinds of file a backup or a restore must never replace.
// TODO(issue 7 #17): fold into the central node-fs error mapping once it lands.

import type { Stats } from "node:fs";
import { CofferError } from "../errors.ts";
import { fsError } from "../store/files.ts";
import { fromSqliteError, isSqliteError } from "../store/sqlite-errors.ts";

/** A system call's error: `code` is an errno name such as EIO or ENOSPC. */
export function isErrno(err: unknown): err is NodeJS.ErrnoException {
  const code = (err as { code?: unknown } | undefined)?.code;
  return err instanceof Error && typeof code === "string" && /^E[A-Z0-9]+$/.test(code);
}

/** `err` as a CofferError naming `action path`, when it is an I/O failure; anything else as it is. */
export function asIoError(err: unknown, action: string, path: string): unknown {
  if (err instanceof CofferError) return err;
  if (isSqliteError(err)) return fromSqliteError(err, `${action} ${path}`);
  if (isErrno(err)) return fsError(action, path, err);
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
