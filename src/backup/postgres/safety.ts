// The safety backup a restore into PostgreSQL writes first: the current
// contents as a coffer SQLite file under backups/, at a name no file has yet.

import type { SQL } from "bun";
import { UsageError } from "../../errors.ts";
import { exists } from "../../store/files.ts";
import { placeFile } from "../place.ts";
import { removeQuietly, tempPathFor } from "../temp-file.ts";
import { writePgCopy } from "./write-file.ts";

/** Writes what `sql` sees to `path` (or `path` with .1, .2… before .db); returns the name used. */
export async function writeSafetyBackup(sql: SQL, schema: string, path: string): Promise<string> {
  for (let n = 0; ; n++) {
    const name = n === 0 ? path : path.replace(/\.db$/, `.${n}.db`);
    if (exists(name)) continue;
    const temp = tempPathFor(name, process.pid);
    try {
      await writePgCopy(sql, schema, temp, name);
      try {
        placeFile(temp, name, false);
        return name;
      } catch (err) {
        if (!(err instanceof UsageError)) throw err; // else another process took the name meanwhile
      }
    } finally {
      removeQuietly(temp);
    }
  }
}
