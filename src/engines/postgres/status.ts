// A read-only report on a PostgreSQL store for `coffer status` (SPEC §10):
// server, schema and migration version, counts and the vault's metadata,
// all read in one snapshot; the URL only in its redacted form.

import type { SQL } from "bun";
import { IntegrityError } from "../../errors.ts";
import { JOB_STATUSES, type JobStatus } from "../../state/job.ts";
import { KDF_ID } from "../../vault/format.ts";
import { checkKdfParams } from "../../vault/kdf.ts";
import type { PgConnection } from "./connect.ts";
import { mapPgError } from "./errors.ts";

export type PgVaultStatus =
  | { present: false }
  | { present: true; problem: string }
  | {
      present: true;
      formatVersion: number;
      kdf: { id: string; memoryKiB: number; iterations: number; parallelism: number };
      entries: number;
      versions: number;
      generation: number;
    };

export interface PgStoreStatus {
  engine: "postgres";
  /** postgres://user:***@host/db: never the password. */
  url: string;
  serverVersion: string;
  schema: string;
  schemaVersion: number;
  counts: { sessions: number; messages: number; jobs: Record<JobStatus, number> };
  vault: PgVaultStatus;
}

export async function pgStoreStatus(conn: PgConnection): Promise<PgStoreStatus> {
  try {
    return (await conn.sql.begin("isolation level repeatable read read only", async (tx: SQL) => {
      const [version] = await tx`SELECT coalesce(max(version), 0)::int AS v FROM coffer_migrations`;
      const [counts] = await tx`SELECT (SELECT count(*) FROM sessions)::int AS sessions,
                                       (SELECT count(*) FROM messages)::int AS messages`;
      const jobs = Object.fromEntries(JOB_STATUSES.map((s) => [s, 0])) as Record<JobStatus, number>;
      for (const row of await tx`SELECT status, count(*)::int AS n FROM jobs GROUP BY status`) {
        jobs[row.status as JobStatus] = Number(row.n);
      }
      return {
        engine: "postgres" as const,
        url: conn.target.redacted,
        serverVersion: conn.serverVersion,
        schema: conn.target.schema,
        schemaVersion: Number(version?.v ?? 0),
        counts: { sessions: Number(counts?.sessions), messages: Number(counts?.messages), jobs },
        vault: await vaultStatus(tx),
      };
    })) as PgStoreStatus;
  } catch (err) {
    throw mapPgError(err, conn.target);
  }
}

/** The vault's metadata as plain SQL reads it: no passphrase, no key. */
async function vaultStatus(sql: SQL): Promise<PgVaultStatus> {
  const [meta] = await sql`SELECT format_version, kdf_id, kdf_memory_kib, kdf_iterations,
                                  kdf_parallelism, generation::text AS generation FROM vault_meta`;
  if (!meta) return { present: false };
  const [counts] = await sql`SELECT count(*)::int AS versions,
                                    count(DISTINCT (scope, name))::int AS entries FROM vault_entries`;
  const params = {
    memoryKiB: Number(meta.kdf_memory_kib),
    iterations: Number(meta.kdf_iterations),
    parallelism: Number(meta.kdf_parallelism),
  };
  try {
    if (meta.kdf_id !== KDF_ID) throw new IntegrityError(`unknown vault KDF "${meta.kdf_id}"`);
    checkKdfParams(params);
  } catch (err) {
    if (err instanceof IntegrityError) return { present: true, problem: err.message };
    throw err;
  }
  return {
    present: true,
    formatVersion: Number(meta.format_version),
    kdf: { id: KDF_ID, ...params },
    entries: Number(counts?.entries),
    versions: Number(counts?.versions),
    generation: Number(meta.generation),
  };
}
