// SQLite's change signal for waiting workers: every commit, from any process,
// writes the store's -wal file, so an inotify watch on the store's folder
// (no polling) wakes the probe. A store that cannot be watched (":memory:",
// an odd file system) is left to the fallback timer.

import { type FSWatcher, watch } from "node:fs";
import { basename, dirname } from "node:path";
import type { Subscribe } from "./wait.ts";

/** Ms between probes when no change signal came: a lost signal costs at most this. */
export const SQLITE_FALLBACK_MS = 2000;

/** Watches the folder of `path` for writes to the store or its -wal file. */
export function watchStore(path: string): Subscribe {
  return async (onChange) => {
    const name = basename(path);
    let watcher: FSWatcher | undefined;
    try {
      watcher = watch(dirname(path), { persistent: true }, (_event, file) => {
        if (file === null || String(file).startsWith(name)) onChange();
      });
      watcher.on("error", () => {
        watcher?.close();
      });
    } catch {
      watcher = undefined;
    }
    return () => {
      watcher?.close();
    };
  };
}
