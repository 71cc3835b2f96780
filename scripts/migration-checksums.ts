// The SHA-256 of each SQLite migration file, in file-name order: scripts/build.ts
// bakes them into the binary (COFFER_MIGRATION_CHECKSUMS), so opening a store
// does not hash every migration's text again (~0.1 ms of start-up).
// test/unit/store/migrate.test.ts checks they match src/store/migrations.ts.

import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";

export function migrationChecksums(): string[] {
  const dir = join(import.meta.dir, "..", "migrations");
  return readdirSync(dir)
    .filter((name) => /^\d{4}_.*\.sql$/.test(name))
    .sort()
    .map((name) =>
      new Bun.CryptoHasher("sha256").update(readFileSync(join(dir, name), "utf8")).digest("hex"),
    );
}
