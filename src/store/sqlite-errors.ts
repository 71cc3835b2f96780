// Maps SQLite's result codes to coffer's error classes, so that a caller
// sees "store is busy" (6) or "not a database" (5), never a raw SQLiteError.

import { BusyError, type CofferError, IntegrityError, InternalError, IoError } from "../errors.ts";
import { errnoError, isErrnoError } from "./errno.ts";

export function isSqliteError(err: unknown): err is Error & { code?: string; errno: number } {
  return err instanceof Error && err.name === "SQLiteError";
}

export function isBusy(err: unknown): boolean {
  return isSqliteError(err) && /^SQLITE_(BUSY|LOCKED)/.test(err.code ?? "");
}

/** Wraps `err` in the coffer error that fits its SQLite code; `context` says what was being done. */
export function fromSqliteError(err: unknown, context: string): CofferError {
  if (!isSqliteError(err)) {
    if (isErrnoError(err)) return errnoError(err, context);
    return new InternalError(`${context}: ${err instanceof Error ? err.message : String(err)}`, {
      cause: err,
    });
  }
  const code = err.code ?? "";
  // Extended codes (SQLITE_BUSY_SNAPSHOT, SQLITE_IOERR_FSYNC…) share their primary's meaning.
  const primary = primaryCodes.find((p) => code === p || code.startsWith(`${p}_`));
  switch (primary) {
    case "SQLITE_BUSY":
    case "SQLITE_LOCKED":
      return new BusyError(`${context}: the store is busy (another process holds it too long)`, {
        cause: err,
        hint: "retry, or raise storage.busy_timeout_ms",
      });
    case "SQLITE_CORRUPT":
    case "SQLITE_NOTADB":
      return new IntegrityError(`${context}: the file is not a valid coffer store (${code})`, {
        cause: err,
      });
    case "SQLITE_FULL":
      return new IoError(`${context}: disk full`, { cause: err });
    case "SQLITE_READONLY":
      return new IoError(`${context}: the store is read-only`, { cause: err });
    case "SQLITE_CANTOPEN":
      return new IoError(`${context}: unable to open the store file`, { cause: err });
    case "SQLITE_PERM":
    case "SQLITE_AUTH":
      return new IoError(`${context}: permission denied`, { cause: err });
    case "SQLITE_IOERR":
      return new IoError(`${context}: I/O error (${code})`, { cause: err });
    default:
      return new InternalError(`${context}: ${err.message} (${code})`, { cause: err });
  }
}

const primaryCodes = [
  "SQLITE_BUSY",
  "SQLITE_LOCKED",
  "SQLITE_CORRUPT",
  "SQLITE_NOTADB",
  "SQLITE_FULL",
  "SQLITE_READONLY",
  "SQLITE_CANTOPEN",
  "SQLITE_PERM",
  "SQLITE_AUTH",
  "SQLITE_IOERR",
];
