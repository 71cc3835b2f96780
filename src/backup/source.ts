// Opens a live store for backup: raw connections that neither migrate nor
// change any setting the store's other users rely on.

import { Database } from "bun:sqlite";
import { statSync } from "node:fs";
import { IntegrityError, IoError, NotFoundError } from "../errors.ts";
import { fsError } from "../store/files.ts";
import { APPLICATION_ID, schemaVersion } from "../store/migrate.ts";
import { fromSqliteError } from "../store/sqlite-errors.ts";
import { fileKind } from "./io-error.ts";

export function checkSourceFile(path: string): void {
  let st: ReturnType<typeof statSync>;
  try {
    st = statSync(path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") {
      throw new NotFoundError(`no store at ${path}`, { hint: "check --db or COFFER_DB" });
    }
    throw fsError("open", path, err);
  }
  if (st.isDirectory()) throw new IoError(`store path ${path} is a directory`);
  if (!st.isFile()) throw new IoError(`store path ${path} is ${fileKind(st)}, not a regular file`);
}

export interface SourceInfo {
  walMode: boolean;
  schemaVersion: number;
  pageSize: number;
}

/** A connection to `path` that waits up to `busyTimeoutMs` for locks. */
export function openSourceConnection(path: string, busyTimeoutMs: number): Database {
  try {
    const db = new Database(path, { readwrite: true, create: false, strict: true });
    db.run(`PRAGMA busy_timeout = ${Math.trunc(busyTimeoutMs)}`);
    db.run("PRAGMA trusted_schema = OFF");
    return db;
  } catch (err) {
    throw fromSqliteError(err, `open ${path}`);
  }
}

/** Checks that `db` is a coffer store and says how to copy it. */
export function inspectSource(db: Database, path: string): SourceInfo {
  const { application_id: id } = db.query("PRAGMA application_id").get() as {
    application_id: number;
  };
  if (id >>> 0 !== APPLICATION_ID) {
    throw new IntegrityError(`${path} is not a coffer store`, {
      hint: "check --db, COFFER_DB and storage.database_path",
    });
  }
  const mode = (db.query("PRAGMA journal_mode").get() as { journal_mode: string }).journal_mode;
  const { page_size: pageSize } = db.query("PRAGMA page_size").get() as { page_size: number };
  return { walMode: mode.toLowerCase() === "wal", schemaVersion: schemaVersion(db), pageSize };
}
