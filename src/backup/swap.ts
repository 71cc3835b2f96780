// The swap at the heart of restore: under the store's exclusive lock, a synced
// safety copy of the old store, stale -wal/-shm removed, the new file renamed
// in, and the old file made useless to anyone still holding it.

import { closeSync, fstatSync, fsyncSync, rmSync, statSync, writeSync } from "node:fs";
import { UsageError } from "../errors.ts";
import { copyPrefix } from "./copy.ts";
import { placeFile } from "./place.ts";
import { setRollbackJournal } from "./sqlite-header.ts";
import { lockStore, type StoreLock } from "./store-lock.ts";
import { createPrivate, removeQuietly, tempPathFor } from "./temp-file.ts";

/** Replaces the existing store with `temp`; returns the safety copy's path. */
export async function swapLocked(store: string, temp: string): Promise<string> {
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

/** With no store yet, the file is just put in place. */
export function placeNew(store: string, temp: string): null {
  for (const suffix of ["-wal", "-shm", "-journal"]) rmSync(`${store}${suffix}`, { force: true });
  placeFile(temp, store, true); // nothing there, or an empty file
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
