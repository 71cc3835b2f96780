// coffer restore as a library: validates a backup (a private copy of it, so
// the bytes checked are the bytes placed), keeps a safety copy of the current
// store, and swaps the store file atomically. See docs/backup.md.

import {
  closeSync,
  fstatSync,
  fsyncSync,
  openSync,
  realpathSync,
  rmSync,
  statSync,
  writeSync,
} from "node:fs";
import { dirname } from "node:path";
import { NotFoundError, UsageError } from "../errors.ts";
import { ensureParentDir, fsError } from "../store/files.ts";
import { openStore } from "../store/store.ts";
import { copyPrefix, throwIfAborted } from "./copy.ts";
import { type BackupReport, type InspectOptions, inspectBackup, reportError } from "./inspect.ts";
import { placeFile } from "./place.ts";
import { setRollbackJournal } from "./sqlite-header.ts";
import { lockStore, probeStoreFree, type StoreLock } from "./store-lock.ts";
import { sameFile, statOrUndefined } from "./target.ts";
import {
  createPrivate,
  processAlive,
  removeQuietly,
  sweepStaleTemps,
  tempPathFor,
} from "./temp-file.ts";

export interface RestoreOptions extends InspectOptions {
  /** The backup file to restore. */
  source: string;
  /** The store to replace (or create). */
  store: string;
  /** Asked once the backup has passed every check; false or a throw leaves everything as it was. */
  confirm?: ((report: BackupReport) => boolean | Promise<boolean>) | undefined;
  onProgress?:
    | ((progress: {
        phase: "copy" | "check" | "swap";
        bytesDone: number;
        bytesTotal: number;
      }) => void)
    | undefined;
  signal?: AbortSignal | undefined;
}

export interface RestoreResult {
  path: string;
  from: string;
  /** The old store's copy, or null when there was no store. */
  safetyCopy: string | null;
  bytes: number;
  /** The backup's schema version, and the store's after the normal open migrated it. */
  restoredVersion: number;
  schemaVersion: number;
  durationMs: number;
  cancelled: boolean;
}

export async function restoreStore(options: RestoreOptions): Promise<RestoreResult> {
  const started = performance.now();
  const store = resolveStore(options.store);
  if (sameFile(statOrUndefined(options.source), statOrUndefined(store))) {
    throw new UsageError(`${options.source} is the store itself`, {
      hint: "restore from a backup file",
    });
  }
  // Cheap checks on the original first: a wrong file is refused before anything is touched.
  const first = await inspectBackup(options.source, { ...options, headerOnly: true });
  if (!first.ok) throw reportError(first);
  ensureDir(store);
  sweepStaleTemps(dirname(store), processAlive);
  const temp = tempPathFor(store, process.pid);
  try {
    const report = await stageCopy(options, temp);
    const exists = storeExists(store);
    if (exists) probeStoreFree(store); // before the question; checked again under the lock
    const result = (ok: boolean, safetyCopy: string | null = null) => ({
      path: store,
      from: options.source,
      safetyCopy,
      bytes: report.bytes,
      restoredVersion: report.schemaVersion ?? 0,
      schemaVersion: report.schemaVersion ?? 0,
      durationMs: Math.round(performance.now() - started),
      cancelled: !ok,
    });
    if (options.confirm && !(await options.confirm(report))) return result(false);
    throwIfAborted(options.signal);
    options.onProgress?.({ phase: "swap", bytesDone: 0, bytesTotal: 1 });
    const safetyCopy = exists ? await swapLocked(store, temp) : placeNew(store, temp);
    // The normal open puts the store back in WAL mode and migrates an older schema.
    using opened = openStore({ path: store, create: false });
    const version = (opened.db.query("PRAGMA user_version").get() as { user_version: number })
      .user_version;
    return {
      ...result(true, safetyCopy),
      schemaVersion: version,
      durationMs: Math.round(performance.now() - started),
    };
  } finally {
    removeQuietly(temp);
  }
}

/** Copies the backup beside the store, then checks that copy. */
async function stageCopy(options: RestoreOptions, temp: string): Promise<BackupReport> {
  const from = openFile(options.source);
  let to: number | undefined;
  try {
    to = createPrivate(temp);
    const size = fstatSync(from).size;
    await copyPrefix(from, to, size, {
      onProgress: (done) =>
        options.onProgress?.({ phase: "copy", bytesDone: done, bytesTotal: size }),
      signal: options.signal,
    });
    setRollbackJournal(to);
    fsyncSync(to);
  } catch (err) {
    throw err instanceof Error &&
      "code" in err &&
      typeof err.code === "string" &&
      err.code.startsWith("E")
      ? fsError("copy", options.source, err)
      : err;
  } finally {
    if (to !== undefined) closeSync(to);
    closeSync(from);
  }
  options.onProgress?.({ phase: "check", bytesDone: 0, bytesTotal: 1 });
  const report = await inspectBackup(temp, options);
  report.path = options.source;
  if (!report.ok) throw reportError(report);
  return report;
}

async function swapLocked(store: string, temp: string): Promise<string> {
  const lock = lockStore(store);
  try {
    const safetyCopy = await writeSafetyCopy(lock, store);
    // A stale -wal beside the new file would be replayed into it on the next open.
    for (const suffix of ["-wal", "-shm", "-journal"]) rmSync(`${store}${suffix}`, { force: true });
    placeFile(temp, store, true);
    neutraliseOldFile(lock);
    return safetyCopy;
  } finally {
    lock.release();
  }
}

/**
 * A process that opened the old file just before the swap waits on our lock;
 * once it gets it, it must fail loudly instead of writing into a file that no
 * longer has a name. Only done when no other name links to the old file.
 */
function neutraliseOldFile(lock: StoreLock): void {
  if (fstatSync(lock.fd).nlink !== 0) return;
  writeSync(lock.fd, new Uint8Array(16), 0, 16, 0);
}

async function writeSafetyCopy(lock: StoreLock, store: string): Promise<string> {
  const size = fstatSync(lock.fd).size;
  for (let n = 0; ; n++) {
    const path = `${store}.pre-restore${n === 0 ? "" : `.${n}`}`;
    if (storeExists(path)) continue;
    const temp = tempPathFor(path, process.pid);
    let fd: number | undefined;
    try {
      fd = createPrivate(temp);
      await copyPrefix(lock.fd, fd, size);
      setRollbackJournal(fd);
      fsyncSync(fd);
      closeSync(fd);
      fd = undefined;
      placeFile(temp, path, false);
      return path;
    } catch (err) {
      if (err instanceof UsageError) continue; // another process took the name meanwhile
      throw err;
    } finally {
      if (fd !== undefined) closeSync(fd);
      removeQuietly(temp);
    }
  }
}

function placeNew(store: string, temp: string): null {
  for (const suffix of ["-wal", "-shm", "-journal"]) rmSync(`${store}${suffix}`, { force: true });
  placeFile(temp, store, true); // nothing there, or an empty file
  return null;
}

function resolveStore(path: string): string {
  try {
    return realpathSync(path); // a symlinked store: replace the file it points at
  } catch {
    return path;
  }
}

function storeExists(path: string): boolean {
  try {
    return statSync(path).size > 0;
  } catch {
    return false;
  }
}

function ensureDir(store: string): void {
  try {
    ensureParentDir(store);
  } catch (err) {
    throw fsError("create", store, err);
  }
}

function openFile(path: string): number {
  try {
    return openSync(path, "r");
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT")
      throw new NotFoundError(`no backup at ${path}`);
    throw fsError("open", path, err);
  }
}
