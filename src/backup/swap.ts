// The swap at the heart of restore: under the store's exclusive lock, a synced
// safety copy of the old store, stale -wal/-shm removed, the new file renamed
// in, and the old file made useless to anyone still holding it.

import { closeSync, fstatSync, rmSync, statSync, writeSync } from "node:fs";
import { CofferError, type ErrorOptions, InternalError, UsageError } from "../errors.ts";
import { copyPrefix, sealCopy } from "./copy.ts";
import { asIoError, ioStep } from "./io-error.ts";
import { moveInto, placeFile, syncDirOf } from "./place.ts";
import { lockStore, type StoreLock } from "./store-lock.ts";
import { createPrivate, removeQuietly, tempPathFor } from "./temp-file.ts";

/** Replaces the existing store with `temp`; returns the safety copy's path. */
export async function swapLocked(
  store: string,
  temp: string,
  busyTimeoutMs: number,
): Promise<string> {
  const lock = lockStore(store, busyTimeoutMs);
  let safetyCopy: string | undefined;
  let swapped = false;
  try {
    safetyCopy = await writeSafetyCopy(lock, store);
    removeStale(store);
    moveInto(temp, store, true);
    swapped = true;
    syncDirOf(store);
    neutraliseOldFile(lock);
    return safetyCopy;
  } catch (err) {
    if (swapped) throw afterSwapError(err, store, safetyCopy ?? null);
    // Still ours under the lock: the journal lockStore's mode switch left behind.
    removeQuietly(`${store}-journal`);
    throw err;
  } finally {
    lock.release();
  }
}

/**
 * A failure once the new file has its name: the store *is* the restored one
 * now, and the user must hear that, and where the old one is kept.
 */
export function afterSwapError(
  err: unknown,
  store: string,
  safetyCopy: string | null,
): CofferError {
  const mapped = asIoError(err, "restore", store);
  const base =
    mapped instanceof CofferError ? mapped : new InternalError(String(err), { cause: err });
  const Kind = base.constructor as new (message: string, options: ErrorOptions) => CofferError;
  return new Kind(`${base.message}; the store ${store} is now the restored backup`, {
    cause: err,
    hint: safetyCopy ? `the old store is kept as ${safetyCopy}` : "there was no store before",
  });
}

/** A stale -wal beside the new file would be replayed into it on the next open. */
function removeStale(store: string): void {
  for (const suffix of ["-wal", "-shm", "-journal"]) {
    const path = `${store}${suffix}`;
    ioStep("remove", path, () => rmSync(path, { force: true }));
  }
}

/**
 * A process that opened the old file just before the swap waits on our lock;
 * once it gets it, it must fail loudly instead of writing into a file that no
 * longer has a name. Only done when no other name links to the old file.
 */
function neutraliseOldFile(lock: StoreLock): void {
  ioStep("write", "the replaced store file", () => {
    if (fstatSync(lock.fd).nlink !== 0) return;
    writeSync(lock.fd, new Uint8Array(16), 0, 16, 0);
  });
}

async function writeSafetyCopy(lock: StoreLock, store: string): Promise<string> {
  const size = ioStep("read", store, () => fstatSync(lock.fd).size);
  for (let n = 0; ; n++) {
    const path = `${store}.pre-restore${n === 0 ? "" : `.${n}`}`;
    if (storeExists(path)) continue;
    const temp = tempPathFor(path, process.pid);
    let fd: number | undefined;
    try {
      fd = ioStep("create", path, () => createPrivate(temp));
      await copyPrefix(lock.fd, fd, size, { names: { from: store, to: path } });
      sealCopy(fd, path);
      const done = fd;
      fd = undefined;
      ioStep("write", path, () => closeSync(done));
      placeFile(temp, path, false);
      return path;
    } catch (err) {
      if (err instanceof UsageError) continue; // another process took the name meanwhile
      throw asIoError(err, "write", path);
    } finally {
      if (fd !== undefined) closeSync(fd);
      removeQuietly(temp);
    }
  }
}

/** With no store yet, the file is just put in place. */
export function placeNew(store: string, temp: string): null {
  removeStale(store);
  moveInto(temp, store, true); // nothing there, or an empty file
  try {
    syncDirOf(store);
  } catch (err) {
    throw afterSwapError(err, store, null);
  }
  return null;
}

/** A store worth keeping: an empty file is not one. */
export function storeExists(path: string): boolean {
  try {
    return statSync(path).size > 0;
  } catch {
    return false;
  }
}
