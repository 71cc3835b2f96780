// coffer backup as a library: an online, transactionally consistent copy of a
// live store, written beside its target and renamed into place only once it
// is complete, synced and checked. See docs/backup.md for the mechanism.

import type { Database } from "bun:sqlite";
import { closeSync, fsyncSync, readSync, statSync } from "node:fs";
import { dirname } from "node:path";
import { IntegrityError } from "../errors.ts";
import { fsError } from "../store/files.ts";
import { fromSqliteError } from "../store/sqlite-errors.ts";
import { DEFAULT_BUSY_TIMEOUT_MS } from "../store/tx.ts";
import { copyPrefix, throwIfAborted } from "./copy.ts";
import { CheckpointHandoff } from "./handoff.ts";
import { placeFile } from "./place.ts";
import { quickCheck } from "./quick-check.ts";
import { sharedReadFd } from "./shared-fd.ts";
import { pinMainFileSnapshot, releaseSnapshot } from "./snapshot.ts";
import { checkSourceFile, inspectSource, openSourceConnection } from "./source.ts";
import { setRollbackJournal } from "./sqlite-header.ts";
import { defaultBackupPath, resolveTarget } from "./target.ts";
import {
  createPrivate,
  processAlive,
  removeQuietly,
  sweepStaleTemps,
  tempPathFor,
} from "./temp-file.ts";

export type BackupPhase = "snapshot" | "copy" | "sync" | "check";

export interface BackupProgress {
  phase: BackupPhase;
  bytesDone: number;
  bytesTotal: number;
}

export interface BackupOptions {
  /** The store to copy. */
  source: string;
  /** Where to write; default `backups/coffer-<UTC time>.db` beside the store. */
  target?: string | undefined;
  /** Replace an existing file at `target`. */
  force?: boolean | undefined;
  busyTimeoutMs?: number | undefined;
  onProgress?: ((progress: BackupProgress) => void) | undefined;
  /** Aborting stops the copy and removes the temp file. */
  signal?: AbortSignal | undefined;
  now?: (() => number) | undefined;
}

export type BackupMethod = "file-copy" | "vacuum-into";

export interface BackupResult {
  path: string;
  bytes: number;
  durationMs: number;
  schemaVersion: number;
  method: BackupMethod;
}

export { defaultBackupPath };

export async function backupStore(options: BackupOptions): Promise<BackupResult> {
  const started = performance.now();
  const { source } = options;
  checkSourceFile(source);
  const target = resolveTarget(
    options.source,
    options.target,
    options.force ?? false,
    (options.now ?? Date.now)(),
  );
  const temp = tempPathFor(target, process.pid);
  sweepStaleTemps(dirname(target), processAlive);
  const sourceFd = openShared(source);
  let tempFd: number | undefined;
  try {
    const reader = openSourceConnection(source, busyTimeout(options));
    const gate = openSourceConnection(source, busyTimeout(options));
    let copied: { method: BackupMethod; schemaVersion: number };
    try {
      tempFd = createTemp(temp);
      copied = await copySnapshot(reader, gate, sourceFd, tempFd, temp, options);
    } finally {
      gate.close(false);
      reader.close(false);
    }
    report(options, "sync", 0, 1);
    setRollbackJournal(tempFd);
    fsyncSync(tempFd);
    closeSync(tempFd);
    tempFd = undefined;
    throwIfAborted(options.signal);
    report(options, "check", 0, 1);
    quickCheck(temp);
    throwIfAborted(options.signal);
    placeFile(temp, target, options.force ?? false);
    return {
      path: target,
      bytes: statSync(target).size,
      durationMs: Math.round(performance.now() - started),
      ...copied,
    };
  } catch (err) {
    throw err instanceof Error && err.name === "SQLiteError" ? fromSqliteError(err, "backup") : err;
  } finally {
    if (tempFd !== undefined) closeSync(tempFd);
    removeQuietly(temp); // after a successful link or rename there is nothing here
  }
}

async function copySnapshot(
  reader: Database,
  gate: Database,
  sourceFd: number,
  tempFd: number,
  temp: string,
  options: BackupOptions,
): Promise<{ method: BackupMethod; schemaVersion: number }> {
  const info = inspectSource(reader, options.source);
  report(options, "snapshot", 0, 0);
  const pinned = info.walMode ? pinMainFileSnapshot(reader, gate) : beginRead(reader);
  if (!pinned) {
    // Long-lived readers keep old WAL frames alive: copy through SQLite instead.
    reader.run("VACUUM INTO ?", [temp]);
    return { method: "vacuum-into", schemaVersion: info.schemaVersion };
  }
  // Started now, so that the worker is ready when the copy ends.
  const handoff = info.walMode
    ? new CheckpointHandoff(options.source, busyTimeout(options))
    : undefined;
  try {
    const { page_count: pages } = reader.query("PRAGMA page_count").get() as {
      page_count: number;
    };
    const { user_version: version } = reader.query("PRAGMA user_version").get() as {
      user_version: number;
    };
    const before = headerStamp(sourceFd);
    const total = pages * info.pageSize;
    report(options, "copy", 0, total);
    const versionAtStart = dataVersion(gate);
    await copyPrefix(sourceFd, tempFd, total, {
      onProgress: (done) => report(options, "copy", done, total),
      signal: options.signal,
      // Commits since the snapshot mean writers are active: spare them one big flush at the end.
      flushWhile: () => dataVersion(gate) !== versionAtStart,
    });
    // A tripwire: nothing may have written the main file while it was copied.
    if (!headerStamp(sourceFd).equals(before)) {
      throw new IntegrityError(
        "the store changed under the backup's snapshot; nothing was written",
      );
    }
    return { method: "file-copy", schemaVersion: version };
  } finally {
    if (handoff) {
      await handoff.release(reader);
      await handoff.close();
    } else {
      releaseSnapshot(reader);
    }
  }
}

function beginRead(reader: Database): boolean {
  reader.run("BEGIN");
  reader.query("SELECT count(*) FROM sqlite_schema").get();
  return true;
}

/** The header's change counter, size and version-valid-for. */
function headerStamp(fd: number): Buffer {
  const buf = Buffer.alloc(100);
  readSync(fd, buf, 0, 100, 0);
  return Buffer.concat([buf.subarray(24, 32), buf.subarray(92, 100)]);
}

function createTemp(path: string): number {
  try {
    return createPrivate(path);
  } catch (err) {
    throw fsError("create", path, err);
  }
}

function openShared(path: string): number {
  try {
    return sharedReadFd(path);
  } catch (err) {
    throw fsError("open", path, err);
  }
}

function report(options: BackupOptions, phase: BackupPhase, done: number, total: number): void {
  options.onProgress?.({ phase, bytesDone: done, bytesTotal: total });
}

function busyTimeout(options: BackupOptions): number {
  return options.busyTimeoutMs ?? DEFAULT_BUSY_TIMEOUT_MS;
}

/** Changes whenever another connection commits (https://sqlite.org/pragma.html#pragma_data_version). */
function dataVersion(db: Database): number {
  return (db.query("PRAGMA data_version").get() as { data_version: number }).data_version;
}
