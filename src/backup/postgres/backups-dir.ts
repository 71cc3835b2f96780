// A PostgreSQL store has no file of its own, so what a backup or restore
// writes on this host (streamed backups, staged copies, safety backups) goes
// into coffer's data directory's backups/, 0700 like every coffer directory.

import { join } from "node:path";
import { ensureParentDir, fsError } from "../../store/files.ts";
import { processAlive, sweepStaleTemps } from "../temp-file.ts";

/** Creates `dataDir`/backups when missing, sweeps temp files of dead processes; returns its path. */
export function backupsDir(dataDir: string): string {
  const dir = join(dataDir, "backups");
  try {
    ensureParentDir(join(dir, "x"));
  } catch (err) {
    throw fsError("create", dir, err);
  }
  sweepStaleTemps(dir, processAlive);
  return dir;
}
