// Writes a PostgreSQL store's rows into a new coffer SQLite file: created
// 0600 beside its target with coffer's own SQLite migrations, filled from the
// caller's snapshot, synced, and put through every check restore makes.

import { Database } from "bun:sqlite";
import { closeSync, openSync } from "node:fs";
import type { SQL } from "bun";
import { IntegrityError, InternalError } from "../../errors.ts";
import { fsError } from "../../store/files.ts";
import { migrate } from "../../store/migrate.ts";
import { latestVersion } from "../../store/migrations.ts";
import { sealCopy } from "../copy.ts";
import { inspectBackup } from "../inspect.ts";
import { ioStep } from "../io-error.ts";
import { quickCheck } from "../quick-check.ts";
import { createPrivate } from "../temp-file.ts";
import { copyPlan } from "./tables.ts";
import { copyToSqlite } from "./to-sqlite.ts";

export interface PgCopyResult {
  schemaVersion: number;
  /** Rows copied per table. */
  rows: Record<string, number>;
}

/** The schema version recorded on PostgreSQL, as `sql` (a snapshot) sees it. */
export async function pgSchemaVersion(sql: SQL): Promise<number> {
  const [row] = await sql`SELECT coalesce(max(version), 0)::int AS v FROM coffer_migrations`;
  return Number(row?.v ?? 0);
}

/**
 * Fills `temp` (which must not exist) from `sql`, a transaction whose reads
 * see one point in time; `name` is what I/O errors call the file.
 */
export async function writePgCopy(
  sql: SQL,
  schema: string,
  temp: string,
  name: string,
  signal?: AbortSignal,
): Promise<PgCopyResult> {
  const version = await pgSchemaVersion(sql);
  if (version !== latestVersion) {
    throw new InternalError(
      `the PostgreSQL schema is at version ${version}, this coffer's SQLite schema at ${latestVersion}: the copy would not match`,
      { hint: "run coffer migrate with this coffer first" },
    );
  }
  ioStep("create", name, () => closeSync(createPrivate(temp)));
  let db: Database;
  try {
    db = new Database(temp, { readwrite: true, create: false, strict: true });
  } catch (err) {
    throw fsError("open", name, err);
  }
  let rows: Record<string, number>;
  try {
    db.run("PRAGMA journal_mode = DELETE");
    db.run("PRAGMA trusted_schema = OFF");
    migrate(db);
    rows = await copyToSqlite(sql, db, await copyPlan(sql, schema, db), signal);
  } finally {
    db.close(false);
  }
  seal(temp, name);
  await checkCopy(temp);
  return { schemaVersion: version, rows };
}

function seal(temp: string, name: string): void {
  const fd = ioStep("write", name, () => openSync(temp, "r+"));
  try {
    sealCopy(fd, name);
  } finally {
    closeSync(fd);
  }
}

/** The checks of any backup, and then the ones restore will make: a copy that fails is never placed. */
async function checkCopy(temp: string): Promise<void> {
  quickCheck(temp);
  const report = await inspectBackup(temp);
  const failed = report.checks.find((c) => !c.ok);
  if (failed) {
    throw new IntegrityError(
      `the backup failed its ${failed.name} check (${failed.detail}); nothing was written`,
    );
  }
}
