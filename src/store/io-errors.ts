// The one mapping of operating-system and SQLite failures to coffer errors:
// a node-fs errno (EIO, ENOSPC, EACCES…) or a SQLite I/O code becomes IoError
// (exit 7). Every place that maps errors, the CLI's last resort included, uses it.

import { CofferError, InternalError, IoError } from "../errors.ts";
import { errnoError, isErrnoError } from "./errno.ts";
import { fromSqliteError, isSqliteError } from "./sqlite-errors.ts";

/**
 * The coffer error `err` stands for: coffer's own as they are, SQLite and
 * errno failures mapped (I/O ones to exit 7), anything else an InternalError.
 */
export function toCofferError(err: unknown, context?: string): CofferError {
  if (err instanceof CofferError) return ioCause(err) ?? err;
  if (isSqliteError(err)) return fromSqliteError(err, context ?? "store");
  if (isErrnoError(err)) return errnoError(err, context);
  const message = err instanceof Error ? err.message : String(err);
  return new InternalError(`${context ? `${context}: ` : ""}${message}`, { cause: err });
}

/** An InternalError that only wraps an I/O failure is that I/O failure. */
function ioCause(err: CofferError): CofferError | undefined {
  if (!(err instanceof InternalError) || err.cause === undefined) return undefined;
  const mapped = toCofferError(err.cause);
  if (!(mapped instanceof IoError)) return undefined;
  const message = err.message.includes("I/O") ? err.message : `I/O error: ${err.message}`;
  return new IoError(message, { cause: err.cause });
}
