// The checks that need SQLite, run on a file opened read-only and immutable:
// the schema first (before any query could touch an object coffer did not
// create), then migrations, integrity (FTS5's own check too, on a private
// copy), foreign keys and the vault.

import type { Database } from "bun:sqlite";
import { CofferError } from "../errors.ts";
import { checksum } from "../store/migrate.ts";
import type { Migration } from "../store/migrations.ts";
import { expectedSchema, readSchema, schemaDifferences } from "./expected-schema.ts";
import type { Check } from "./inspect.ts";
import { checkVault } from "./vault-check.ts";

export type Add = (name: string, ok: boolean, detail: string) => boolean;

/** A check's outcome: passed, and what to say about it. */
type Outcome = [ok: boolean, detail: string];

export async function runSqlChecks(
  db: Database,
  version: number,
  migrations: readonly Migration[],
  add: Add,
  more: {
    extra?: ((db: Database) => Check | Promise<Check>) | undefined;
    /** FTS5's check of the search index, when the file may be opened for writing. */
    fts?: (() => Outcome) | undefined;
  } = {},
): Promise<void> {
  const { extra, fts } = more;
  const steps: [string, () => Outcome | Promise<Outcome>][] = [
    ["schema", () => schemaCheck(db, version, migrations)],
    ["migrations", () => migrationsCheck(db, version, migrations)],
    ["integrity_check", () => integrityCheck(db)],
  ];
  if (fts) steps.push(["fts integrity-check", fts]);
  steps.push(
    ["foreign_key_check", () => foreignKeyCheck(db)],
    ["vault", () => [true, checkVault(db)]],
  );
  if (extra) {
    steps.push([
      "vault unlock",
      async () => {
        const c = await extra(db);
        return [c.ok, c.detail];
      },
    ]);
  }
  for (const [name, run] of steps) {
    let outcome: Outcome;
    try {
      outcome = await run();
    } catch (err) {
      outcome = [false, err instanceof CofferError ? err.message : sqliteDetail(err)];
    }
    if (!add(name, ...outcome)) return;
  }
}

function schemaCheck(db: Database, version: number, migrations: readonly Migration[]): Outcome {
  const problems = schemaDifferences(readSchema(db), expectedSchema(version, migrations));
  if (problems.length > 0) return [false, problems.slice(0, 3).join("; ")];
  return [true, `matches coffer's migrations 1..${version}`];
}

function migrationsCheck(db: Database, version: number, migrations: readonly Migration[]): Outcome {
  const bad = migrationMismatches(db, version, migrations);
  return bad.length > 0 ? [false, bad.join("; ")] : [true, `${version} applied, checksums match`];
}

function integrityCheck(db: Database): Outcome {
  const rows = db.query("PRAGMA integrity_check(5)").all() as { integrity_check: string }[];
  const lines = rows.map((r) => r.integrity_check);
  return [lines.join() === "ok", lines.join("; ")];
}

function foreignKeyCheck(db: Database): Outcome {
  const n = db.query("PRAGMA foreign_key_check").all().length;
  return n > 0 ? [false, `${n} rows violate a foreign key`] : [true, "ok"];
}

function migrationMismatches(
  db: Database,
  version: number,
  migrations: readonly Migration[],
): string[] {
  const rows = db
    .query("SELECT version, checksum FROM coffer_migrations ORDER BY version")
    .all() as {
    version: number;
    checksum: string;
  }[];
  const bad: string[] = [];
  if (rows.length !== version || rows.some((r, i) => r.version !== i + 1)) {
    bad.push(
      `expected migrations 1..${version}, found ${rows.map((r) => r.version).join(",") || "none"}`,
    );
  }
  for (const r of rows) {
    const m = migrations[r.version - 1];
    if (m && checksum(m.sql) !== r.checksum) bad.push(`migration ${r.version} checksum mismatch`);
  }
  return bad;
}

export function sqliteDetail(err: unknown): string {
  const code = (err as { code?: string })?.code;
  return code ? `SQLite says ${code}` : String(err);
}
