// SQLite's change signal for waiting workers: every commit, from any process,
// writes the store's -wal file, so an inotify watch on that file (no polling)
// wakes the probe. Nothing else wakes it: a log appended beside the store
// costs the waiters nothing. Without a -wal file (or once it is replaced), the
// store's folder is watched instead, filtered by name. Concurrent waiters on
// one store (a server's long polls) share one watch. A store that cannot be
// watched (":memory:", an odd file system) is left to the fallback timer.

import { type FSWatcher, watch } from "node:fs";
import { basename, dirname } from "node:path";
import type { Subscribe } from "./wait.ts";

/** Ms between probes when no change signal came: a lost signal costs at most this. */
export const SQLITE_FALLBACK_MS = 2000;

/** After a burst of file events, the waiters are told once more this much later. */
const SETTLE_MS = 5;

interface Shared {
  watcher: FSWatcher | undefined;
  again?: Timer | undefined;
  listeners: Set<() => void>;
}

/** The open watches, by store path: one each, however many wait on it. */
const watches = new Map<string, Shared>();
let opened = 0;

/** How many store watches this process has open now. */
export function openWatchCount(): number {
  return opened;
}

/** Watches the folder of `path` for writes to the store or its -wal file. */
export function watchStore(path: string): Subscribe {
  return async (onChange) => {
    const shared = watches.get(path) ?? openWatch(path);
    const listener = () => onChange();
    shared.listeners.add(listener);
    return () => {
      shared.listeners.delete(listener);
      if (shared.listeners.size > 0 || watches.get(path) !== shared) return;
      watches.delete(path);
      close(shared);
    };
  };
}

function openWatch(path: string): Shared {
  const shared: Shared = { watcher: undefined, listeners: new Set() };
  const tell = () => {
    for (const listener of [...shared.listeners]) listener();
  };
  const changed = () => {
    tell();
    // A commit writes the -wal file before the index in -shm (mapped memory: no
    // event), so a probe run on this event may not see it yet: look once more.
    shared.again ??= setTimeout(() => {
      shared.again = undefined;
      tell();
    }, SETTLE_MS);
  };
  const wal = () =>
    watch(`${path}-wal`, { persistent: true }, (event) => {
      // Deleted or replaced (a restore): this inode says nothing more.
      if (event === "rename" && shared.watcher) {
        close(shared);
        attach(shared, path, [folder]);
      }
      changed();
    });
  const folder = () => folderWatch(path, changed);
  attach(shared, path, [wal, folder]);
  watches.set(path, shared);
  return shared;
}

/** Watches with the first of `ways` that works; none working leaves the fallback timer alone. */
function attach(shared: Shared, path: string, ways: (() => FSWatcher)[]): void {
  for (const way of ways) {
    try {
      const watcher = way();
      watcher.on("error", () => {
        if (watches.get(path) === shared) watches.delete(path);
        close(shared);
      });
      shared.watcher = watcher;
      opened++;
      return;
    } catch {
      // A -wal not there yet, a folder that cannot be watched: try the next way.
    }
  }
  shared.watcher = undefined;
}

/** The store's folder, told only of the store's own files. */
function folderWatch(path: string, changed: () => void): FSWatcher {
  const name = basename(path);
  return watch(dirname(path), { persistent: true }, (_event, file) => {
    if (file !== null && !String(file).startsWith(name)) return;
    changed();
  });
}

function close(shared: Shared): void {
  clearTimeout(shared.again);
  if (!shared.watcher) return;
  shared.watcher.close();
  shared.watcher = undefined;
  opened--;
}
