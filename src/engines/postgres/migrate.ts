// Applies pending PostgreSQL migrations in one transaction under an advisory
// lock (many hosts may connect at once), refusing a newer schema or edited ones.

import type { SQL } from "bun";
import { IntegrityError } from "../../errors.ts";
import { checksum } from "../../store/migrate.ts";
import type { Migration } from "../../store/migrations.ts";
import type { PgConnection } from "./connect.ts";
import { mapPgError } from "./errors.ts";
import { pgMigrations } from "./migrations.ts";

interface Applied {
  version: number;
  name: string;
  checksum: string;
  applied_at: string;
}

const HISTORY_TABLE = `CREATE TABLE IF NOT EXISTS coffer_migrations (
  version    integer PRIMARY KEY,
  name       text NOT NULL,
  checksum   text NOT NULL,
  applied_at bigint NOT NULL
)`;

/** Brings the target's schema up to the newest this binary knows; returns the version reached. */
export async function migratePostgres(
  conn: PgConnection,
  list: readonly Migration[] = pgMigrations,
): Promise<number> {
  try {
    // The common case, every connect after the first: no lock, no transaction.
    const applied = await readApplied(conn.sql, conn.target.schema);
    if (applied && check(applied, list) === list.length) return list.length;
    return await conn.sql.begin(async (tx) => {
      await tx`SELECT pg_advisory_xact_lock(hashtextextended(${`coffer:migrate:${conn.target.schema}`}, 0))`;
      await tx.unsafe(`CREATE SCHEMA IF NOT EXISTS "${conn.target.schema}"`);
      await tx.unsafe(HISTORY_TABLE);
      // Another process may have migrated while we waited for the lock.
      const version = check((await readApplied(tx, conn.target.schema)) ?? [], list);
      for (const m of list.slice(version)) {
        await tx.unsafe(m.sql);
        await tx`INSERT INTO coffer_migrations (version, name, checksum, applied_at)
                 VALUES (${m.version}, ${m.name}, ${checksum(m.sql)}, now_ms())`;
      }
      return list.length;
    });
  } catch (err) {
    throw mapPgError(err, conn.target);
  }
}

/** The applied migrations, or null when the schema has no history table yet. */
async function readApplied(sql: SQL, schema: string): Promise<Applied[] | null> {
  const [table] = await sql`SELECT to_regclass(${`"${schema}".coffer_migrations`}) AS t`;
  if (!table?.t) return null;
  return (await sql`SELECT version, name, checksum, applied_at::text
                    FROM coffer_migrations ORDER BY version`) as Applied[];
}

/** The schema version `applied` reaches; throws if it is newer than `list` or differs from it. */
function check(applied: readonly Applied[], list: readonly Migration[]): number {
  const latest = list.length;
  const version = applied.reduce((max, row) => Math.max(max, row.version), 0);
  if (version > latest) {
    throw new IntegrityError(
      `store schema version ${version} is newer than this coffer supports (${latest})`,
      { hint: "upgrade coffer to open this store" },
    );
  }
  for (const row of applied) {
    const known = list[row.version - 1];
    if (known && checksum(known.sql) !== row.checksum) {
      throw new IntegrityError(
        `migration ${row.version} (${row.name}) in the store does not match this coffer's (checksum mismatch: store ${row.checksum.slice(0, 12)}, coffer ${checksum(known.sql).slice(0, 12)})`,
      );
    }
  }
  return version;
}

export interface PgMigrationState {
  version: number;
  name: string;
  checksum: string;
  appliedAt: number | null;
}

/** Each migration this binary carries, with when it was applied (for `status` and `migrate`). */
export async function pgMigrationStatus(
  conn: PgConnection,
  list: readonly Migration[] = pgMigrations,
): Promise<PgMigrationState[]> {
  const applied = new Map(
    ((await readApplied(conn.sql, conn.target.schema)) ?? []).map((r) => [
      r.version,
      Number(r.applied_at),
    ]),
  );
  return list.map((m) => ({
    version: m.version,
    name: m.name,
    checksum: checksum(m.sql),
    appliedAt: applied.get(m.version) ?? null,
  }));
}
