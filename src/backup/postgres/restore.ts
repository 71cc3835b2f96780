// coffer restore into PostgreSQL: the backup is validated as SPEC §6 says
// (../stage.ts, on a private copy, so the bytes checked are the bytes
// restored) and checked to fit PostgreSQL's columns; then, in one
// transaction holding every coffer table against writers, a safety backup of
// the current contents is written and the contents are replaced.

import { Database } from "bun:sqlite";
import { join } from "node:path";
import type { SQL } from "bun";
import type { PgConnection } from "../../engines/postgres/connect.ts";
import { pgLatestVersion } from "../../engines/postgres/migrations.ts";
import { InternalError } from "../../errors.ts";
import { migrate } from "../../store/migrate.ts";
import { latestVersion } from "../../store/migrations.ts";
import { throwIfAborted } from "../copy.ts";
import type { BackupReport } from "../inspect.ts";
import { ioStep } from "../io-error.ts";
import type { RestoreResult } from "../restore.ts";
import { checkBackupHeader, type StageOptions, stageBackup } from "../stage.ts";
import { defaultBackupPath } from "../target.ts";
import { removeQuietly, tempPathFor } from "../temp-file.ts";
import { copyError } from "./backup.ts";
import { backupsDir } from "./backups-dir.ts";
import { checkFitsPostgres } from "./fits-postgres.ts";
import { lockTables, replaceFromSqlite } from "./from-sqlite.ts";
import { writeSafetyBackup } from "./safety.ts";
import { type CopyTable, copyPlan } from "./tables.ts";

export interface PgRestoreOptions extends StageOptions {
  conn: PgConnection;
  /** coffer's data directory: the safety backup goes into its backups/. */
  dataDir: string;
  /** Asked once the backup has passed every check; false leaves everything as it was. */
  confirm?: ((report: BackupReport) => boolean | Promise<boolean>) | undefined;
  now?: (() => number) | undefined;
}

/** As on SQLite (`path` is the redacted URL), plus the rows restored per table. */
export interface PgRestoreResult extends RestoreResult {
  rows: Record<string, number>;
}

/** What errors call the staged copy of the backup. */
const STAGED = "a private copy of the backup";

export async function restorePostgres(options: PgRestoreOptions): Promise<PgRestoreResult> {
  const started = performance.now();
  if (pgLatestVersion !== latestVersion) {
    throw new InternalError(
      `this coffer's schemas differ: SQLite ${latestVersion}, PostgreSQL ${pgLatestVersion}`,
    );
  }
  await checkBackupHeader(options);
  const dir = backupsDir(options.dataDir);
  const temp = tempPathFor(join(dir, "restore-stage"), process.pid);
  try {
    const report = await stageBackup(options, temp, STAGED);
    const db = ioStep("open", STAGED, () => openStaged(temp, report.schemaVersion ?? 0));
    try {
      const plan = await planFor(options.conn, db);
      // Still validation: nothing is locked or written yet.
      ioStep("read", STAGED, () => checkFitsPostgres(db, plan));
      const result = {
        path: options.conn.target.redacted,
        from: options.source,
        safetyCopy: null as string | null,
        bytes: report.bytes,
        restoredVersion: report.schemaVersion ?? 0,
        schemaVersion: latestVersion,
        rows: {} as Record<string, number>,
        durationMs: 0,
        cancelled: true,
      };
      if (options.confirm && !(await options.confirm(report))) return result;
      throwIfAborted(options.signal);
      const replaced = await replace(options, db, plan, dir);
      return {
        ...result,
        ...replaced,
        cancelled: false,
        durationMs: Math.round(performance.now() - started),
      };
    } finally {
      db.close(false);
    }
  } finally {
    removeQuietly(temp);
    removeQuietly(`${temp}-journal`);
  }
}

async function planFor(conn: PgConnection, db: Database): Promise<CopyTable[]> {
  try {
    return await copyPlan(conn.sql, conn.target.schema, db);
  } catch (err) {
    throw copyError(err, conn, STAGED);
  }
}

async function replace(
  options: PgRestoreOptions,
  db: Database,
  plan: readonly CopyTable[],
  dir: string,
): Promise<{ safetyCopy: string; rows: Record<string, number> }> {
  const { conn } = options;
  const base = defaultBackupPath(join(dir, "..", "x"), (options.now ?? Date.now)());
  let safetyCopy = "";
  try {
    const rows = (await conn.sql.begin("isolation level repeatable read", async (tx: SQL) => {
      // The lock comes first, so the snapshot the safety backup reads is taken after it.
      await lockTables(tx, plan);
      safetyCopy = await writeSafetyBackup(
        tx,
        conn.target.schema,
        base.replace(/\.db$/, ".pre-restore.db"),
      );
      return await replaceFromSqlite(tx, db, plan, { signal: options.signal });
    })) as Record<string, number>;
    return { safetyCopy, rows };
  } catch (err) {
    throw copyError(err, conn, safetyCopy || dir);
  }
}

/**
 * The private copy, read-only; one of an older schema is migrated first (only
 * the copy: the backup itself is never written), as opening an older store would.
 */
function openStaged(temp: string, version: number): Database {
  if (version < latestVersion) {
    const rw = new Database(temp, { readwrite: true, create: false });
    try {
      rw.run("PRAGMA trusted_schema = OFF");
      migrate(rw);
    } finally {
      rw.close(false);
    }
  }
  const db = new Database(temp, { readonly: true, safeIntegers: true });
  try {
    db.run("PRAGMA trusted_schema = OFF");
  } catch (err) {
    db.close(false);
    throw err;
  }
  return db;
}
