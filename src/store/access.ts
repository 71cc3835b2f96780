// How a store file is connected to: read-write when it can be, else read-only
// so that reads still work on a full disk, a read-only file, directory or file
// system. Writes on a read-only connection are refused with exit 7.

import { constants, Database } from "bun:sqlite";
import { accessSync, chmodSync, constants as fs, rmSync, statSync } from "node:fs";
import { dirname } from "node:path";
import { FILE_MODE } from "./files.ts";
import { isSqliteError } from "./sqlite-errors.ts";

export type AccessMode = "write" | "read-only" | "immutable" | "exclusive";

export interface Access {
  mode: AccessMode;
  /** Why the store is not writable, for the error a write gets. */
  reason?: string;
  /** The -wal/-shm SQLite gave the read-only store's mode (0444), to make 0600 again at close. */
  sidecars?: string[];
}

const accessOf = new WeakMap<Database, Access>();

export function connectionAccess(db: Database): Access {
  return accessOf.get(db) ?? { mode: "write" };
}

/** Why writes are refused on `db`, or undefined when it is writable. */
export function readOnlyReason(db: Database): string | undefined {
  const access = connectionAccess(db);
  return access.mode === "write" ? undefined : (access.reason ?? "opened read-only");
}

/**
 * Opens `path` and reads its schema once (which opens the -wal and -shm), so
 * a failure to set those up shows here and picks the read-only way instead.
 */
export function connect(path: string, busyTimeoutMs: number): Database {
  const denied = writeDenied(path);
  if (denied === "EROFS") return fallback(path, busyTimeoutMs, "the file system is read-only");
  if (denied) return readOnly(path, busyTimeoutMs, "the store file is not writable");
  try {
    return open(path, { mode: "write" }, busyTimeoutMs);
  } catch (err) {
    const code = isSqliteError(err) ? (err.code ?? "") : "";
    if (/^SQLITE_(FULL|IOERR_SHM)/.test(code)) {
      // No room for the 32 KiB -shm: with an exclusive lock SQLite keeps the
      // WAL index in memory instead. Only this process can use the store meanwhile.
      const access = { mode: "exclusive", reason: "the disk is full" } as const;
      return open(path, access, busyTimeoutMs);
    }
    if (/^SQLITE_(READONLY|CANTOPEN)/.test(code) && !dirWritable(path)) {
      return fallback(path, busyTimeoutMs, "its directory is not writable");
    }
    throw err;
  }
}

/** Read-only, after SQLite could not create a -wal: immutable when nothing can write the store. */
function fallback(path: string, busyTimeoutMs: number, reason: string): Database {
  // A writer needs the -wal: with none there and none creatable by us, the
  // file cannot change under this read, and SQLite may skip locking (immutable).
  if ((fileSize(`${path}-wal`) ?? 0) === 0)
    return open(path, { mode: "immutable", reason }, busyTimeoutMs);
  return open(path, { mode: "read-only", reason }, busyTimeoutMs);
}

/** The store file is not writable by us, its directory is: SQLite makes -wal/-shm copying its mode. */
function readOnly(path: string, busyTimeoutMs: number, reason: string): Database {
  const sidecars = [`${path}-wal`, `${path}-shm`];
  try {
    return open(path, { mode: "read-only", reason, sidecars }, busyTimeoutMs);
  } catch (err) {
    if (isSqliteError(err) && /^SQLITE_(READONLY|CANTOPEN)/.test(err.code ?? "")) {
      return fallback(path, busyTimeoutMs, reason);
    }
    throw err;
  }
}

function open(path: string, access: Access, busyTimeoutMs: number): Database {
  const db =
    access.mode === "immutable"
      ? new Database(
          `file:${encodeURI(path).replace(/[?#]/g, encodeURIComponent)}?immutable=1`,
          constants.SQLITE_OPEN_READONLY | constants.SQLITE_OPEN_URI,
        )
      : new Database(path, {
          readwrite: access.mode !== "read-only",
          readonly: access.mode === "read-only",
          create: false,
          strict: true,
        });
  try {
    if (access.mode === "exclusive") db.run("PRAGMA locking_mode = EXCLUSIVE");
    db.run(`PRAGMA busy_timeout = ${Math.trunc(busyTimeoutMs)}`);
    db.query("SELECT count(*) FROM sqlite_schema").get();
    // Every WAL connection holds a shared lock on the file: holding the
    // exclusive one, none uses the -shm, and the part-made one the failed
    // read-write open left is removed (as SQLite's last close would).
    if (access.mode === "exclusive") rmSync(`${path}-shm`, { force: true });
  } catch (err) {
    db.close(false);
    throw err;
  }
  accessOf.set(db, access);
  return db;
}

/** Closes `db` without a checkpoint (the caller did it, or cannot), fixing what SQLite left. */
export function closeConnection(db: Database): void {
  const { sidecars } = connectionAccess(db);
  db.close(false);
  if (sidecars) privatize(sidecars);
}

/**
 * SQLite gives an empty -wal/-shm a read-only store's mode (0444): left so,
 * they would stop the owner's next write. Ours become 0600 again.
 */
function privatize(files: readonly string[]): void {
  for (const file of files) {
    try {
      const st = statSync(file);
      if (st.uid === process.getuid?.() && (st.mode & 0o777) !== FILE_MODE)
        chmodSync(file, FILE_MODE);
    } catch {
      // Not there (SQLite removed it) or not ours: nothing to fix.
    }
  }
}

/** undefined when we may write `path`, else the errno that says why not. */
function writeDenied(path: string): string | undefined {
  try {
    accessSync(path, fs.W_OK);
    return undefined;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code ?? "EACCES";
  }
}

function dirWritable(path: string): boolean {
  return writeDenied(dirname(path)) === undefined;
}

function fileSize(path: string): number | undefined {
  try {
    return statSync(path).size;
  } catch {
    return undefined;
  }
}
