import { Database } from "bun:sqlite";
import { describe, expect, it } from "bun:test";
import { ExitCode, InternalError, IoError, UsageError } from "../../../src/errors.ts";
import { toCofferError } from "../../../src/store/io-errors.ts";

function errno(code: string, syscall = "write"): Error {
  return Object.assign(new Error(`${code}: failed, ${syscall}`), { code, syscall });
}

function sqliteError(code: string): Error {
  return Object.assign(new Error("disk I/O error"), { name: "SQLiteError", code, errno: 10 });
}

describe("toCofferError", () => {
  it("should map every file-system errno of a failing disk to IoError (7) saying I/O", () => {
    for (const code of [
      "EIO",
      "ENOSPC",
      "EDQUOT",
      "EACCES",
      "EPERM",
      "EROFS",
      "EISDIR",
      "ENOTDIR",
      "EMFILE",
    ]) {
      const mapped = toCofferError(errno(code), "backup");
      expect(mapped).toBeInstanceOf(IoError);
      expect(mapped.code).toBe(ExitCode.io);
      expect(mapped.message).toMatch(/^backup: I\/O error \(write\): /);
    }
  });

  it("should map SQLite's I/O, full, cantopen, read-only and perm codes to IoError", () => {
    for (const code of [
      "SQLITE_IOERR",
      "SQLITE_IOERR_FSYNC",
      "SQLITE_IOERR_SHMSIZE",
      "SQLITE_FULL",
      "SQLITE_CANTOPEN",
      "SQLITE_READONLY_DIRECTORY",
      "SQLITE_PERM",
    ]) {
      expect(toCofferError(sqliteError(code)).code).toBe(ExitCode.io);
    }
  });

  it("should keep coffer's own errors and unwrap an InternalError around an I/O failure", () => {
    const usage = new UsageError("bad flag");
    expect(toCofferError(usage)).toBe(usage);
    const wrapped = new InternalError("copy: failed", { cause: errno("ENOSPC") });
    expect(toCofferError(wrapped)).toBeInstanceOf(IoError);
    expect(toCofferError(new Error("a bug"))).toBeInstanceOf(InternalError);
  });

  it("should map a real SQLite error from bun:sqlite", () => {
    const db = new Database(":memory:");
    let caught: unknown;
    try {
      db.run("SELECT * FROM nowhere");
    } catch (err) {
      caught = err;
    }
    expect(toCofferError(caught)).toBeInstanceOf(InternalError);
  });
});
