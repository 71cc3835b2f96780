// A Bun macro, run when the binary is built (and when tests transpile): the
// SHA-256 of each SQLite migration file, in file-name order, so opening a
// store does not hash every migration's text again (~0.1 ms of start-up).
// migrate.ts uses them only for the bundled list, and
// test/unit/store/migrate.test.ts checks they match migrations.ts.

import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";

export function bundledChecksums(): string[] {
  const dir = join(import.meta.dir, "..", "..", "migrations");
  return readdirSync(dir)
    .filter((name) => /^\d{4}_.*\.sql$/.test(name))
    .sort()
    .map((name) =>
      new Bun.CryptoHasher("sha256").update(readFileSync(join(dir, name), "utf8")).digest("hex"),
    );
}
