// The copy at the heart of backup: the store's main file, byte for byte,
// under a snapshot that lives in the main file (or VACUUM INTO), synced and checked.

import type { Database } from "bun:sqlite";
import { closeSync, readSync } from "node:fs";
import { IntegrityError } from "../errors.ts";
import { fsError } from "../store/files.ts";
import { fromSqliteError, isSqliteError } from "../store/sqlite-errors.ts";
import { DEFAULT_BUSY_TIMEOUT_MS } from "../store/tx.ts";
import type { BackupMethod, BackupOptions, BackupPhase } from "./backup.ts";
import { copyPrefix, sealCopy, throwIfAborted } from "./copy.ts";
import { CheckpointHandoff } from "./handoff.ts";
import { asIoError, ioStep } from "./io-error.ts";
import { quickCheck } from "./quick-check.ts";
import { sharedReadFd } from "./shared-fd.ts";
import { pinMainFileSnapshot, releaseSnapshot } from "./snapshot.ts";
import { inspectSource, openSourceConnection } from "./source.ts";
import { createPrivate } from "./temp-file.ts";

/**
 * Writes a complete copy of the store to `temp` (created new), synced and
 * passing its quick_check. I/O errors (EIO, ENOSPC) are IoErrors naming `name`.
 */
export async function writeCheckedCopy(
  options: BackupOptions,
  temp: string,
  name: string,
): Promise<{ method: BackupMethod; schemaVersion: number }> {
  const { source } = options;
  const sourceFd = openShared(source);
  let tempFd: number | undefined;
  try {
    const reader = openSourceConnection(source, busyTimeout(options));
    const gate = openSourceConnection(source, busyTimeout(options));
    let copied: { method: BackupMethod; schemaVersion: number };
    try {
      tempFd = createTemp(temp, name);
      copied = await copySnapshot(reader, gate, sourceFd, tempFd, temp, name, options);
    } finally {
      gate.close(false);
      reader.close(false);
    }
    report(options, "sync", 0, 1);
    sealCopy(tempFd, name);
    const fd = tempFd;
    tempFd = undefined;
    ioStep("write", name, () => closeSync(fd));
    throwIfAborted(options.signal);
    report(options, "check", 0, 1);
    quickCheck(temp);
    return copied;
  } catch (err) {
    throw isSqliteError(err) ? fromSqliteError(err, "backup") : asIoError(err, "write", name);
  } finally {
    if (tempFd !== undefined) closeQuietly(tempFd);
  }
}

async function copySnapshot(
  reader: Database,
  gate: Database,
  sourceFd: number,
  tempFd: number,
  temp: string,
  name: string,
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
      names: { from: options.source, to: name },
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
  ioStep("read", "the store", () => readSync(fd, buf, 0, 100, 0));
  return Buffer.concat([buf.subarray(24, 32), buf.subarray(92, 100)]);
}

function createTemp(path: string, name: string): number {
  try {
    return createPrivate(path);
  } catch (err) {
    throw fsError("create", name, err);
  }
}

function closeQuietly(fd: number): void {
  try {
    closeSync(fd);
  } catch {
    // Already failing: the first error is the one to report.
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
