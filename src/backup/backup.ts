// coffer backup as a library: an online, transactionally consistent copy of a
// live store, written beside its target and renamed into place only once it
// is complete, synced and checked. See docs/backup.md for the mechanism.

import { closeSync, openSync, readSync, statSync } from "node:fs";
import { dirname, join } from "node:path";
import { writeCheckedCopy } from "./checked-copy.ts";
import { throwIfAborted } from "./copy.ts";
import { ioStep } from "./io-error.ts";
import { placeFile } from "./place.ts";
import { checkSourceFile } from "./source.ts";
import { defaultBackupPath, resolveTarget } from "./target.ts";
import { processAlive, removeQuietly, sweepStaleTemps, tempPathFor } from "./temp-file.ts";

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
  checkSourceFile(options.source);
  const target = resolveTarget(
    options.source,
    options.target,
    options.force ?? false,
    (options.now ?? Date.now)(),
  );
  const temp = tempPathFor(target, process.pid);
  sweepStaleTemps(dirname(target), processAlive);
  try {
    const copied = await writeCheckedCopy(options, temp, target);
    throwIfAborted(options.signal);
    placeFile(temp, target, options.force ?? false);
    return {
      path: target,
      bytes: statSync(target).size,
      durationMs: Math.round(performance.now() - started),
      ...copied,
    };
  } finally {
    removeQuietly(temp); // after a successful link or rename there is nothing here
  }
}

/** Where `streamBackup` sends the bytes: resolves once the chunk is taken (backpressure). */
export type BackupSink = (chunk: Uint8Array) => Promise<void>;

/**
 * The finished, checked backup written to `sink` instead of a file (`coffer
 * backup -`). It is made in a temp file beside the store first, so only a
 * copy that passed its checks is ever sent; the temp file is removed after.
 */
export async function streamBackup(
  options: Omit<BackupOptions, "target" | "force">,
  sink: BackupSink,
): Promise<Omit<BackupResult, "path"> & { path: "-" }> {
  const started = performance.now();
  checkSourceFile(options.source);
  const dir = dirname(options.source);
  const temp = tempPathFor(join(dir, "backup-stream"), process.pid);
  sweepStaleTemps(dir, processAlive);
  try {
    const copied = await writeCheckedCopy(options, temp, temp);
    throwIfAborted(options.signal);
    const bytes = await sendFile(temp, sink, options.signal);
    return { path: "-", bytes, durationMs: Math.round(performance.now() - started), ...copied };
  } finally {
    removeQuietly(temp);
  }
}

export async function sendFile(
  path: string,
  sink: BackupSink,
  signal?: AbortSignal,
): Promise<number> {
  const fd = ioStep("read", path, () => openSync(path, "r"));
  try {
    const buf = Buffer.allocUnsafe(1 << 20);
    let total = 0;
    for (;;) {
      const n = ioStep("read", path, () => readSync(fd, buf, 0, buf.length, total));
      if (n === 0) return total;
      // A copy: the sink may hold on to the chunk while the buffer is reused.
      await sink(Uint8Array.prototype.slice.call(buf, 0, n));
      total += n;
      throwIfAborted(signal);
    }
  } finally {
    closeSync(fd);
  }
}
