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
/** faketime (Debian) shifts the clock Bun sees; without it the skew test is skipped, visibly. */
const FAKETIME = spawnSync("faketime", ["-f", "+10m", "date", "+%s"], { encoding: "utf8" });
const FAKETIME_OK = FAKETIME.status === 0 && Number(FAKETIME.stdout) - Date.now() / 1000 > 540;
if (pg && !FAKETIME_OK) {
  if (process.env.CI === "true")
    throw new Error("faketime is required in CI (.ci/run installs it)");
  console.log("skipped: the clock-skew test needs faketime (apt-get install faketime)");
}

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

  test(
    "workers SIGKILLed mid-job: their jobs are reclaimed after the 300 ms lease, none lost or acked twice",
    async () => {
      const JOBS = 60;
      const LEASE_MS = 300;
      const WORK_MAX_MS = 450; // many jobs outlive their lease
      const { url, conn, q } = await audited("kill");
      const ids = await q.enqueueMany(
        "work",
        Array.from({ length: JOBS }, (_, i) => i),
        { maxAttempts: 1000 },
      );
      const live = new Set<Fixture>();
      const done: Promise<Finished>[] = [];
      const start = () => {
        const p = startFixture("pg-worker", [url, "work", String(LEASE_MS), String(WORK_MAX_MS)]);
        live.add(p);
        done.push(finish(p));
        p.exited.then(() => live.delete(p));
      };
      for (let i = 0; i < 4; i++) start();
      let kills = 0;
      await Bun.sleep(600); // let them connect and claim
      while (live.size > 0) {
        await Bun.sleep(150);
        const victim = [...live][Math.floor(Math.random() * live.size)];
        if (!victim || kills >= 15) continue;
        victim.kill("SIGKILL");
        kills++;
        start(); // a replacement: someone must pick the dead worker's job up after its lease
      }
      const results = await Promise.all(done);
      for (const r of results.filter((r) => r.signal === null)) {
        expect({ code: r.code, stderr: r.stderr }).toEqual({ code: 0, stderr: "" });
      }
      expect(results.filter((r) => r.signal === "SIGKILL").length).toBe(kills);
      expect(kills).toBeGreaterThan(5);
      // Never lost: every job completed, exactly once, by a valid lease.
      expect(await q.stats("work")).toEqual([
        { queue: "work", pending: 0, processing: 0, completed: JOBS, failed: 0 },
      ]);
      expect(await leaseProblems(conn)).toEqual([]);
      const completions = await auditEvents(conn, "completed");
      expect(completions.map((r) => r.job_id).toSorted((a, b) => a - b)).toEqual(ids);
      // Leases really ran out and were reclaimed (some of them the killed workers').
      const reclaimed = await auditEvents(conn, "pending");
      expect(reclaimed.length).toBeGreaterThan(3);
      for (const r of reclaimed) expect(r.at).toBeGreaterThanOrEqual(r.locked_until ?? Infinity);
      const said = results.map((r) => r.stdout).join("");
      // A killed worker's last claim was taken over by another token and completed.
      const claims = await auditEvents(conn, "claim");
      const tokens = new Set(claims.map((c) => c.token));
      const orphaned = results
        .filter((r) => r.signal === "SIGKILL")
        .map((r) => [...r.stdout.matchAll(/^claim (\d+) (\w+)$/gm)].at(-1))
        .filter((m) => m && !ackedBeforeDeath(said, m[1] ?? "", m[2] ?? ""));
      for (const m of orphaned) expect(tokens.has(m?.[2] ?? "")).toBe(true);
      const takenOver = orphaned.filter((m) =>
        completions.some((c) => c.job_id === Number(m?.[1]) && c.token !== m?.[2]),
      );
      expect(takenOver.length).toBeGreaterThan(0);
      // Acks a live worker saw succeed are the completions; stale ones were refused.
      const acked = [...said.matchAll(/^ack (\d+)$/gm)].map((m) => Number(m[1]));
      expect(new Set(acked).size).toBe(acked.length);
      expect(said).toContain("ack-refused");
      // Attempts count every claim, the killed workers' included.
      const [mismatch] = await conn.sql`SELECT count(*)::int AS n FROM jobs j WHERE attempts <>
        (SELECT count(*) FROM lease_audit a WHERE a.job_id = j.id AND a.event = 'claim')`;
      expect(mismatch.n).toBe(0);
      await conn.close();
    },
    TEST_TIMEOUT_MS,
  );

  describe.skipIf(!FAKETIME_OK)("a worker whose host clock is 10 minutes off", () => {
    test(
      "its lease is computed on the server clock, and it cannot take a live lease early",
      async () => {
        const { url, conn, q } = await audited("skew");
        // A skewed worker claims: locked_until is the server's now + lease, not its own.
        await q.enqueue("mine", "a");
        const before = await serverNow(conn);
        const ahead = await skewed("+10m", [url, "mine", "2000", "0", "-1"]);
        const after = await serverNow(conn);
        expect(ahead.localNow - after).toBeGreaterThan(9 * 60_000); // faketime did apply
        expect(ahead.job?.lockedUntil).toBeGreaterThanOrEqual(before + 2000);
        expect(ahead.job?.lockedUntil).toBeLessThanOrEqual(after + 2000);
        // A normal worker's lease is not claimable early by the clock running ahead.
        const id = await q.enqueue("theirs", "b");
        const held = await q.dequeue("theirs", { lease: 1500 });
        expect(held?.id).toBe(id);
        const thief = await skewed("+10m", [url, "theirs", "60000", "10000", "0"]);
        expect(thief.misses).toBeGreaterThan(5); // it polled while the lease ran
        expect(thief.job?.id).toBe(id);
        expect(thief.job?.attempts).toBe(2);
        expect(thief.job?.updatedAt).toBeGreaterThanOrEqual(held?.lockedUntil ?? Infinity);
        expect(thief.ack).toBe("ok");
        // A worker whose clock runs behind still loses its lease when the server says so.
        await q.enqueue("late", "c");
        const behind = await skewed("-10m", [url, "late", "300", "0", "800"]);
        expect(after - behind.localNow).toBeGreaterThan(9 * 60_000);
        expect(behind.job).not.toBeNull();
        expect(behind.ack).toMatch(/^6: .*lease expired/);
        expect(await leaseProblems(conn)).toEqual([]);
        await conn.close();
      },
      TEST_TIMEOUT_MS,
    );
  });
});

/** Whether a claim's worker acked it before dying (its ack line follows the claim line). */
function ackedBeforeDeath(said: string, id: string, token: string): boolean {
  const at = said.indexOf(`claim ${id} ${token}`);
  return at >= 0 && said.slice(at).split("\n")[1] === `ack ${id}`;
}

interface SkewReport {
  localNow: number;
  misses: number;
  job: { id: number; attempts: number; lockedUntil: number; updatedAt: number } | null;
  ack: string | null;
}

/** Runs pg-skew-worker under faketime with the host clock moved by `offset` ("+10m"). */
async function skewed(offset: string, args: string[]): Promise<SkewReport> {
  const proc = Bun.spawn(
    ["faketime", "-f", offset, process.execPath, join(FIXTURES, "pg-skew-worker.ts"), ...args],
    { env: baseEnv(), stdin: "ignore", stdout: "pipe", stderr: "pipe" },
  );
  const r = await finish(proc);
  expect({ code: r.code, stderr: r.stderr }).toEqual({ code: 0, stderr: "" });
  return JSON.parse(r.stdout) as SkewReport;
}
