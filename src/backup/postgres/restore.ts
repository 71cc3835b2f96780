// coffer restore into PostgreSQL: the backup is checked as SPEC §6 says (on a
// private copy, so the bytes checked are the bytes restored), then, in one
// transaction holding every coffer table against writers, a safety backup of
// the current contents is written and the contents are replaced.

import { Database } from "bun:sqlite";
import { closeSync, fstatSync, openSync } from "node:fs";
import { join } from "node:path";
import type { SQL } from "bun";
import type { PgConnection } from "../../engines/postgres/connect.ts";
import { pgLatestVersion } from "../../engines/postgres/migrations.ts";
import { InternalError, NotFoundError } from "../../errors.ts";
import { ensureParentDir, fsError } from "../../store/files.ts";
import { migrate } from "../../store/migrate.ts";
import { latestVersion } from "../../store/migrations.ts";
import { copyPrefix, sealCopy, throwIfAborted } from "../copy.ts";
import { type BackupReport, type InspectOptions, inspectBackup, reportError } from "../inspect.ts";
import { asIoError, ioStep } from "../io-error.ts";
import { defaultBackupPath } from "../target.ts";
import {
  createPrivate,
  processAlive,
  removeQuietly,
  sweepStaleTemps,
  tempPathFor,
} from "../temp-file.ts";
import { copyError } from "./backup.ts";
import { lockTables, replaceFromSqlite } from "./from-sqlite.ts";
import { writeSafetyBackup } from "./safety.ts";
import { copyPlan } from "./tables.ts";

export interface PgRestoreOptions extends InspectOptions {
  source: string;
  conn: PgConnection;
  /** coffer's data directory: the safety backup goes into its backups/. */
  dataDir: string;
  /** Asked once the backup has passed every check; false leaves everything as it was. */
  confirm?: ((report: BackupReport) => boolean | Promise<boolean>) | undefined;
  signal?: AbortSignal | undefined;
  now?: (() => number) | undefined;
}

export interface PgRestoreResult {
  /** The store, as its redacted URL. */
  path: string;
  from: string;
  safetyCopy: string | null;
  bytes: number;
  restoredVersion: number;
  schemaVersion: number;
  rows: Record<string, number>;
  durationMs: number;
  cancelled: boolean;
}

export async function restorePostgres(options: PgRestoreOptions): Promise<PgRestoreResult> {
  const started = performance.now();
  if (pgLatestVersion !== latestVersion) {
    throw new InternalError(
      `this coffer's schemas differ: SQLite ${latestVersion}, PostgreSQL ${pgLatestVersion}`,
    );
  }
  // Cheap checks on the original first: a wrong file is refused before anything is touched.
  const first = await inspectBackup(options.source, {
    ...options,
    headerOnly: true,
    onCheck: undefined,
  });
  if (!first.ok) throw reportError(first);
  const dir = join(options.dataDir, "backups");
  try {
    ensureParentDir(join(dir, "x"));
  } catch (err) {
    throw fsError("create", dir, err);
  }
  const temp = tempPathFor(join(dir, "restore-stage"), process.pid);
  sweepStaleTemps(dir, processAlive);
  try {
    const report = await stageCopy(options, temp);
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
    if ((report.schemaVersion ?? 0) < latestVersion) upgrade(temp);
    const replaced = await replace(options, temp, dir);
    return {
      ...result,
      ...replaced,
      cancelled: false,
      durationMs: Math.round(performance.now() - started),
    };
  } finally {
    removeQuietly(temp);
    removeQuietly(`${temp}-journal`);
  }
}

async function replace(
  options: PgRestoreOptions,
  temp: string,
  dir: string,
): Promise<{ safetyCopy: string; rows: Record<string, number> }> {
  const { conn } = options;
  const db = new Database(temp, { readonly: true, safeIntegers: true });
  let safetyCopy = "";
  try {
    db.run("PRAGMA trusted_schema = OFF");
    const plan = await copyPlan(conn.sql, conn.target.schema, db);
    const base = defaultBackupPath(join(dir, "..", "x"), (options.now ?? Date.now)());
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
  } finally {
    db.close(false);
  }
}

/** A backup of an older schema is brought up to this coffer's on the private copy. */
function upgrade(temp: string): void {
  const db = new Database(temp, { readwrite: true, create: false });
  try {
    db.run("PRAGMA trusted_schema = OFF");
    migrate(db);
  } finally {
    db.close(false);
  }
}

/** Copies the backup into the private backups/ directory, then checks that copy. */
async function stageCopy(options: PgRestoreOptions, temp: string): Promise<BackupReport> {
  const from = openBackup(options.source);
  const staged = "a private copy of the backup";
  let to: number | undefined;
  try {
    to = ioStep("create", staged, () => createPrivate(temp));
    const size = fstatSync(from).size;
    await copyPrefix(from, to, size, {
      signal: options.signal,
      names: { from: options.source, to: staged },
    });
    sealCopy(to, staged);
  } catch (err) {
    throw asIoError(err, "copy", options.source);
  } finally {
    if (to !== undefined) closeSync(to);
    closeSync(from);
  }
  const report = await inspectBackup(temp, options);
  report.path = options.source;
  if (!report.ok) throw reportError(report);
  return report;
}

function openBackup(path: string): number {
  try {
    return openSync(path, "r");
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT")
      throw new NotFoundError(`no backup at ${path}`);
    throw fsError("open", path, err);
  }
}
