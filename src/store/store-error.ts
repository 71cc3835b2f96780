// Maps a failure on an open store to a coffer error, telling a failing disk
// from bad data: SQLite reports EIO on read as SQLITE_CORRUPT (unixRead's
// SQLITE_IOERR_CORRUPTFS), so "corrupt" is only believed once a second look agrees.

import { Database } from "bun:sqlite";
import { closeSync, openSync, readSync } from "node:fs";
import { type CofferError, IntegrityError, IoError } from "../errors.ts";
import { errnoReason, isErrnoError } from "./errno.ts";
import { toCofferError } from "./io-errors.ts";
import { isSqliteError } from "./sqlite-errors.ts";

/** The coffer error for `err`, met doing `context` on the store at `path`. */
export function storeError(path: string, err: unknown, context: string): CofferError {
  const mapped = toCofferError(err, context);
  if (!(mapped instanceof IntegrityError) || !isCorruptCode(err)) return mapped;
  const unreadable = readFailure(path) ?? readFailure(`${path}-wal`, true);
  if (unreadable) {
    return new IoError(`${context}: I/O error reading ${unreadable}`, {
      cause: err,
      hint: "the disk failed a read: check it (dmesg) before trusting this store",
    });
  }
  if (checksOut(path)) {
    return new IoError(
      `${context}: I/O error: a read of ${path} failed, but the file checks out when read again`,
      { cause: err, hint: "a transient disk error: retry, and check the disk (dmesg)" },
    );
  }
  return mapped;
}

function isCorruptCode(err: unknown): boolean {
  return isSqliteError(err) && /^SQLITE_(CORRUPT|NOTADB|IOERR_CORRUPTFS)/.test(err.code ?? "");
}

/** Reads the whole file through the OS; the errno of a failing read, named, or undefined. */
function readFailure(path: string, optional = false): string | undefined {
  let fd: number;
  try {
    fd = openSync(path, "r");
  } catch (err) {
    if (optional && (err as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    return describe(path, err);
  }
  try {
    const chunk = Buffer.allocUnsafe(1 << 20);
    for (let at = 0, n = 1; n > 0; at += n) n = readSync(fd, chunk, 0, chunk.length, at);
    return undefined;
  } catch (err) {
    return describe(path, err);
  } finally {
    closeSync(fd);
  }
}

function describe(path: string, err: unknown): string {
  return `${path}: ${isErrnoError(err) ? errnoReason(err.code) : String(err)}`;
}

/** A fresh read-only connection finds the file sound (integrity_check "ok": quick_check misses bad indexes). */
function checksOut(path: string): boolean {
  try {
    const db = new Database(path, { readonly: true });
    try {
      const rows = db.query("PRAGMA integrity_check").all() as { integrity_check: string }[];
      return rows.length === 1 && rows[0]?.integrity_check === "ok";
    } finally {
      db.close(false);
    }
  } catch {
    return false;
  }
}
