// One connection per store file per process: every Store opened on the same
// file shares it, so all writes of a process are serialized through one
// writer, and a write in one Store joins a transaction open in another
// instead of waiting on it (which, on one thread, could only time out).

import type { Database } from "bun:sqlite";
import { realpathSync } from "node:fs";
import { resolve } from "node:path";
import { IoError } from "../errors.ts";
import { closeConnection, connectionAccess } from "./access.ts";
import { toCofferError } from "./io-errors.ts";
import { type OpenOptions, openDatabase } from "./open.ts";
import { isBusy } from "./sqlite-errors.ts";

interface Entry {
  db: Database;
  users: number;
}

const open = new Map<string, Entry>();

export interface Lease {
  db: Database;
  /** Gives the connection back; the last one out checkpoints and closes it. */
  release(): void;
}

export function acquireDatabase(options: OpenOptions): Lease {
  let key = canonical(options.path);
  let entry = open.get(key);
  if (!entry) {
    const db = openDatabase(options);
    key = canonical(options.path); // the file exists now: resolve symlinks
    entry = open.get(key) ?? { db, users: 0 };
    if (entry.db !== db) closeDatabase(db);
    open.set(key, entry);
  }
  entry.users++;
  const held = entry;
  let released = false;
  return {
    db: held.db,
    release() {
      if (released) return;
      released = true;
      held.users--;
      if (held.users > 0) return;
      open.delete(key);
      closeDatabase(held.db);
    },
  };
}

function canonical(path: string): string {
  try {
    return realpathSync(path);
  } catch {
    return resolve(path);
  }
}

/**
 * TRUNCATE leaves no -wal behind, so `cp coffer.db copy.db` is a full backup.
 * It must not wait: it would hold a reading command up behind another
 * process's write, and block new writers while waiting for readers. When the
 * store is busy it gives up at once; the last connection to close then
 * checkpoints and removes the WAL itself. Any other failure (disk full, a
 * failed fsync) is thrown once the connection is closed: the -wal then holds
 * committed changes that coffer.db alone lacks, and the user must know.
 */
export function closeDatabase(db: Database): void {
  const access = connectionAccess(db);
  let failure: unknown;
  if (access.mode === "write" || access.mode === "exclusive") {
    try {
      db.run("PRAGMA busy_timeout = 0");
      db.run("PRAGMA wal_checkpoint(TRUNCATE)");
    } catch (err) {
      if (!isBusy(err)) failure = err;
    }
  }
  closeConnection(db);
  if (failure !== undefined) throw closeError(db.filename, failure);
}

function closeError(path: string, err: unknown): IoError {
  const mapped = toCofferError(err, `close ${path}`);
  return new IoError(
    `${mapped.message}: the checkpoint into ${path} failed, so ${path} alone is not a complete copy (the changes are in ${path}-wal)`,
    {
      cause: err,
      hint: "free space or fix the disk, then run any coffer command (coffer status) to finish; coffer backup copies the store meanwhile",
    },
  );
}
