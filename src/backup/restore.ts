// coffer restore as a library: validates a backup (a private copy of it, so
// the bytes checked are the bytes placed), keeps a safety copy of the current
// store, and swaps the store file atomically. See docs/backup.md.

import { closeSync, fsyncSync, openSync, realpathSync, rmdirSync } from "node:fs";
import { dirname } from "node:path";
import { IoError, UsageError } from "../errors.ts";
import { ensureParentDir, exists, fsError } from "../store/files.ts";
import { openStore } from "../store/store.ts";
import { DEFAULT_BUSY_TIMEOUT_MS } from "../store/tx.ts";
import { throwIfAborted } from "./copy.ts";
import type { BackupReport } from "./inspect.ts";
import { ioStep } from "./io-error.ts";
import { nonRegularKind } from "./place.ts";
import { setWalMode } from "./sqlite-header.ts";
import { checkBackupHeader, type StageOptions, stageBackup } from "./stage.ts";
import { probeStoreFree } from "./store-lock.ts";
import { afterSwapError, placeNew, storeExists, swapLocked } from "./swap.ts";
import { sameFile, statOrUndefined } from "./target.ts";
import { processAlive, removeQuietly, sweepStaleTemps, tempPathFor } from "./temp-file.ts";

export interface RestoreOptions extends StageOptions {
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
  /**
   * How long to wait for other processes to let go of the store: a short
   * command finishes within it, one that keeps the store open (a worker, an
   * agent) makes the restore exit 6 once it has passed. Default 5000 ms.
   */
  busyTimeoutMs?: number | undefined;
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
  refuseNonRegularStore(store);
  if (sameFile(statOrUndefined(options.source), statOrUndefined(store))) {
    throw new UsageError(`${options.source} is the store itself`, {
      hint: "restore from a backup file",
    });
  }
  await checkBackupHeader(options);
  // Directories made for the staged copy go again unless the store landed in them.
  const created = ensureDir(store);
  const temp = tempPathFor(store, process.pid);
  try {
    sweepStaleTemps(dirname(store), processAlive);
    const report = await stageBackup(options, temp, `a copy beside ${store}`);
    const exists = storeExists(store);
    const wait = options.busyTimeoutMs ?? DEFAULT_BUSY_TIMEOUT_MS;
    if (exists) probeStoreFree(store, wait); // before the question; checked again under the lock
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
    markWal(temp, store);
    const safetyCopy = exists ? await swapLocked(store, temp, wait) : placeNew(store, temp);
    return {
      ...result(true, safetyCopy),
      schemaVersion: reopen(store, safetyCopy),
      durationMs: Math.round(performance.now() - started),
    };
  } finally {
    removeQuietly(temp);
    removeDirs(created); // only empty ones: never a directory the store now lives in
  }
}

/**
 * The placed file goes in already in WAL mode, so that its first open makes no
 * `-journal`: a process still holding the replaced file (rollback mode since
 * lockStore) would take a `store-journal` for its own hot journal, play it
 * back into the old file and delete it (seen: IOERR_DELETE_NOENT on reopen).
 */
function markWal(temp: string, store: string): void {
  ioStep("write", `a copy beside ${store}`, () => {
    const fd = openSync(temp, "r+");
    try {
      setWalMode(fd);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
  });
}

/** The normal open puts the store back in WAL mode and migrates an older schema. */
function reopen(store: string, safetyCopy: string | null): number {
  try {
    using opened = openStore({ path: store, create: false });
    return (opened.db.query("PRAGMA user_version").get() as { user_version: number }).user_version;
  } catch (err) {
    throw afterSwapError(err, store, safetyCopy);
  }
}

function resolveStore(path: string): string {
  try {
    return realpathSync(path); // a symlinked store: replace the file it points at
  } catch {
    return path;
  }
}

/** A device, FIFO, socket, directory or dangling symlink at the store path is never replaced. */
function refuseNonRegularStore(store: string): void {
  const kind = nonRegularKind(store);
  if (kind) {
    throw new IoError(`store path ${store} is ${kind}, not a regular file; not replacing it`, {
      hint: "point --db at a coffer store file",
    });
  }
}

/** Creates the store's missing parent directories; returns them, deepest first. */
function ensureDir(store: string): string[] {
  const missing: string[] = [];
  for (let dir = dirname(store); !exists(dir) && dirname(dir) !== dir; dir = dirname(dir)) {
    missing.push(dir);
  }
  try {
    ensureParentDir(store);
  } catch (err) {
    removeDirs(missing);
    throw fsError("create", store, err);
  }
  return missing;
}

function removeDirs(dirs: readonly string[]): void {
  for (const dir of dirs) {
    try {
      rmdirSync(dir); // only when empty: nothing of anyone else's goes
    } catch {
      return;
    }
  }
}
