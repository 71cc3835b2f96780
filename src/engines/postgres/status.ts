// A read-only report on a PostgreSQL store for `coffer status` (SPEC §10):
// server, schema and migration version, counts and the vault (inspected as
// on SQLite), all read in one snapshot; the URL only in its redacted form.

import { JOB_STATUSES, type JobStatus } from "../../state/job.ts";
import type { StoreCounts } from "../../store/status.ts";
import { inspectRows, type VaultStatus, vaultStatus } from "../../vault/inspect.ts";
import { PgVaultRows } from "../../vault/postgres.ts";
import type { PgConnection } from "./connect.ts";
import { mapPgError } from "./errors.ts";
import { READ_SNAPSHOT } from "./handle.ts";

export interface PgStoreStatus {
  engine: "postgres";
  /** Where the store is, as on SQLite and in backup/restore results: postgres://user:***@host/db, never the password. */
  path: string;
  serverVersion: string;
  schema: string;
  schemaVersion: number;
  counts: StoreCounts;
  /** The same report as on SQLite (vault/inspect.ts), from the same snapshot. */
  vault: VaultStatus;
}

export async function pgStoreStatus(conn: PgConnection): Promise<PgStoreStatus> {
  try {
    return (await conn.sql.begin(READ_SNAPSHOT, async (tx) => {
      const [version] = await tx`SELECT coalesce(max(version), 0)::int AS v FROM coffer_migrations`;
      const [counts] = await tx`SELECT (SELECT count(*) FROM agents)::int AS agents,
          (SELECT count(*) FROM (SELECT DISTINCT agent, name FROM documents) d)::int AS documents,
          (SELECT count(*) FROM documents)::int AS versions,
          (SELECT count(*) FROM sessions)::int AS sessions,
          (SELECT count(*) FROM messages)::int AS messages`;
      const jobs = Object.fromEntries(JOB_STATUSES.map((s) => [s, 0])) as Record<JobStatus, number>;
      for (const row of await tx`SELECT CASE WHEN status = 'processing' AND locked_until <= now_ms()
        THEN CASE WHEN attempts >= max_attempts THEN 'failed' ELSE 'pending' END ELSE status END AS status,
        count(*)::int AS n FROM jobs GROUP BY 1`) {
        jobs[row.status as JobStatus] = Number(row.n);
      }
      return {
        engine: "postgres" as const,
        path: conn.target.redacted,
        serverVersion: conn.serverVersion,
        schema: conn.target.schema,
        schemaVersion: Number(version?.v ?? 0),
        counts: {
          agents: Number(counts?.agents),
          documents: Number(counts?.documents),
          documentVersions: Number(counts?.versions),
          sessions: Number(counts?.sessions),
          messages: Number(counts?.messages),
          jobs,
        },
        // In a savepoint: a damaged vault table (undefined table or column) is
        // reported as on SQLite, and must not abort the snapshot's COMMIT.
        vault: await vaultStatus(() =>
          tx.savepoint((sp) => inspectRows(new PgVaultRows({ sql: sp, target: conn.target }))),
        ),
      };
    })) as PgStoreStatus;
  } catch (err) {
    throw mapPgError(err, conn.target);
  }
}
