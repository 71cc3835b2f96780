// coffer backup on PostgreSQL: one read-only REPEATABLE READ snapshot copied
// into a coffer SQLite file (SPEC §6's format), checked like any backup, then
// renamed into place, or streamed; never a partial file at the target.

import { statSync } from "node:fs";
import { dirname, join } from "node:path";
import type { SQL } from "bun";
import type { PgConnection } from "../../engines/postgres/connect.ts";
import { mapPgError } from "../../engines/postgres/errors.ts";
import { READ_SNAPSHOT } from "../../engines/postgres/handle.ts";
import { CofferError } from "../../errors.ts";
import { type BackupResult, type BackupSink, sendFile } from "../backup.ts";
import { throwIfAborted } from "../copy.ts";
import { asIoError } from "../io-error.ts";
import { placeFile } from "../place.ts";
import { resolveTarget } from "../target.ts";
import { processAlive, removeQuietly, sweepStaleTemps, tempPathFor } from "../temp-file.ts";
import { backupsDir } from "./backups-dir.ts";
import { type PgCopyResult, writePgCopy } from "./write-file.ts";

export interface PgBackupOptions {
  conn: PgConnection;
  /** coffer's data directory ($XDG_DATA_HOME/coffer): the default target is its backups/. */
  dataDir: string;
  target?: string | undefined;
  force?: boolean | undefined;
  signal?: AbortSignal | undefined;
  now?: (() => number) | undefined;
}

/** As on SQLite, plus the rows copied per table. */
export interface PgBackupResult extends Omit<BackupResult, "method">, PgCopyResult {
  method: "postgres-snapshot";
}

/**
 * Stands in for the store file where the SQLite rules want one: backups/
 * beside it is the data directory's, and no backup can be "the store itself".
 */
function standInStorePath(dataDir: string): string {
  return join(dataDir, "postgres-store");
}

export async function backupPostgres(options: PgBackupOptions): Promise<PgBackupResult> {
  const started = performance.now();
  const source = standInStorePath(options.dataDir);
  const now = (options.now ?? Date.now)();
  const target = resolveTarget(source, options.target, options.force ?? false, now);
  const temp = tempPathFor(target, process.pid);
  sweepStaleTemps(dirname(target), processAlive);
  try {
    const copied = await snapshotInto(options, temp, target);
    throwIfAborted(options.signal);
    placeFile(temp, target, options.force ?? false);
    return finish(target, statSync(target).size, started, copied);
  } finally {
    removeQuietly(temp);
  }
}

/** `coffer backup -` on PostgreSQL: the checked file is made under backups/, sent, then removed. */
export async function streamPostgresBackup(
  options: Omit<PgBackupOptions, "target" | "force">,
  sink: BackupSink,
): Promise<PgBackupResult> {
  const started = performance.now();
  const temp = tempPathFor(join(backupsDir(options.dataDir), "backup-stream"), process.pid);
  try {
    const copied = await snapshotInto(options, temp, temp);
    throwIfAborted(options.signal);
    const bytes = await sendFile(temp, sink, options.signal);
    return finish("-", bytes, started, copied);
  } finally {
    removeQuietly(temp);
  }
}

async function snapshotInto(
  options: PgBackupOptions | Omit<PgBackupOptions, "target" | "force">,
  temp: string,
  name: string,
): Promise<PgCopyResult> {
  const { conn } = options;
  try {
    return (await conn.sql.begin(READ_SNAPSHOT, (tx: SQL) =>
      writePgCopy(tx, conn.target.schema, temp, name, options.signal),
    )) as PgCopyResult;
  } catch (err) {
    throw copyError(err, conn, name);
  }
}

/** SQLite and file errors name the file; anything else came from the server. */
export function copyError(err: unknown, conn: PgConnection, name: string): unknown {
  const mapped = asIoError(err, "write", name);
  return mapped instanceof CofferError ? mapped : mapPgError(err, conn.target);
}

function finish(
  path: string,
  bytes: number,
  started: number,
  copied: PgCopyResult,
): PgBackupResult {
  return {
    path,
    bytes,
    durationMs: Math.round(performance.now() - started),
    schemaVersion: copied.schemaVersion,
    method: "postgres-snapshot",
    rows: copied.rows,
  };
}
