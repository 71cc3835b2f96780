// The PostgreSQL queue under many real processes standing in for hosts: 8
// workers on 2,000 jobs, SIGKILLed workers, and a worker whose host clock is
// 10 minutes off. A trigger audits every lease change in the changing
// transaction; SQL over that audit proves no two valid leases overlapped.

import { describe, expect, test } from "bun:test";
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { openPostgres, type PgConnection } from "../../src/engines/postgres/index.ts";
import { PgQueue } from "../../src/state/queue/postgres.ts";
import { baseEnv } from "../helpers/binary.ts";
import { addLeaseAudit, auditEvents, leaseProblems } from "../helpers/pg-lease-audit.ts";
import { freshDatabase, pgServer } from "../helpers/pg-server.ts";
import { FIXTURES, type Finished, type Fixture, finish, startFixture } from "../helpers/procs.ts";

const TEST_TIMEOUT_MS = 120_000;
const pg = await pgServer();

/** A fresh database, migrated, with the lease audit installed. */
async function audited(prefix: string): Promise<{ url: string; conn: PgConnection; q: PgQueue }> {
  if (!pg) throw new Error("no PostgreSQL");
  const { url } = await freshDatabase(pg, prefix);
  const conn = await openPostgres(url);
  await addLeaseAudit(conn);
  return { url, conn, q: new PgQueue(conn) };
}

async function serverNow(conn: PgConnection): Promise<number> {
  const [row] = await conn.sql`SELECT now_ms()::float8 AS now`;
  return row.now;
}

describe.skipIf(!pg)("PgQueue under many processes", () => {
  test(
    "8 processes claim 2,000 jobs: each completed exactly once, no two valid leases at once",
    async () => {
      const { url, conn, q } = await audited("procs8");
      const ids = await q.enqueueMany(
        "race",
        Array.from({ length: 2000 }, (_, i) => i),
      );
      const startAt = String(Date.now() + 1500);
      const procs = Array.from({ length: 8 }, () =>
        startFixture("pg-queue-worker", [url, "race", startAt]),
      );
      const results = await Promise.all(procs.map(finish));
      const done: number[] = [];
      for (const r of results) {
        expect({ code: r.code, stderr: r.stderr }).toEqual({ code: 0, stderr: "" });
        done.push(...(JSON.parse(r.stdout) as number[]));
      }
      // What the workers saw succeed: every job once.
      expect(done.toSorted((a, b) => a - b)).toEqual(ids);
      expect(results.filter((r) => r.stdout !== "[]\n").length).toBeGreaterThan(1);
      // What the server recorded: one claim and one completion per job, no overlap.
      expect(await q.stats("race")).toEqual([
        { queue: "race", pending: 0, processing: 0, completed: 2000, failed: 0 },
      ]);
      const claims = await auditEvents(conn, "claim");
      const completions = await auditEvents(conn, "completed");
      expect(claims.length).toBe(2000);
      expect(completions.map((r) => r.job_id).toSorted((a, b) => a - b)).toEqual(ids);
      expect(await leaseProblems(conn)).toEqual([]);
      const [backends] = await conn.sql`SELECT count(DISTINCT backend)::int AS n FROM lease_audit
        WHERE event = 'claim'`;
      expect(backends.n).toBeGreaterThan(1);
      await conn.close();
    },
    TEST_TIMEOUT_MS,
  );
});
