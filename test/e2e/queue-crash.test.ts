// The queue under dying workers: a job whose worker is killed is claimed again
// once its lease runs out, is never lost, and is never held under two valid
// leases at once; a job whose worker always dies ends failed. Workers are
// real processes; triggers added to the test store audit every lease change
// in the same transaction as the change, so even killed workers' claims count.

import { describe, expect, test } from "bun:test";
import { join } from "node:path";
import { openStore } from "../../src/index.ts";
import { BINARY, baseEnv, coffer } from "../helpers/binary.ts";
import { type Fixture, finish, startFixture } from "../helpers/procs.ts";
import { tempDir } from "../helpers/tmp.ts";

const TEST_TIMEOUT_MS = 120_000;

const AUDIT = `
CREATE TABLE lease_audit (
  seq INTEGER PRIMARY KEY, job_id INTEGER NOT NULL, event TEXT NOT NULL,
  token TEXT, at INTEGER NOT NULL, locked_until INTEGER
);
CREATE TRIGGER audit_claim AFTER UPDATE OF lease_token ON jobs
  WHEN NEW.status = 'processing' AND NEW.lease_token IS NOT OLD.lease_token
BEGIN
  INSERT INTO lease_audit (job_id, event, token, at, locked_until)
  VALUES (NEW.id, 'claim', NEW.lease_token, NEW.updated_at, NEW.locked_until);
END;
CREATE TRIGGER audit_extend AFTER UPDATE OF locked_until ON jobs
  WHEN NEW.status = 'processing' AND OLD.status = 'processing'
   AND NEW.lease_token IS OLD.lease_token
BEGIN
  INSERT INTO lease_audit (job_id, event, token, at, locked_until)
  VALUES (NEW.id, 'extend', NEW.lease_token, NEW.updated_at, NEW.locked_until);
END;
CREATE TRIGGER audit_end AFTER UPDATE OF status ON jobs
  WHEN OLD.status = 'processing' AND NEW.status <> 'processing'
BEGIN
  INSERT INTO lease_audit (job_id, event, token, at, locked_until)
  VALUES (NEW.id, NEW.status, OLD.lease_token, NEW.updated_at, OLD.locked_until);
END;`;

interface AuditRow {
  job_id: number;
  event: string;
  token: string | null;
  at: number;
  locked_until: number | null;
}

/**
 * Replays one job's lease history and returns every broken rule: a claim
 * while a lease was valid, an ack or extend by a lease that had run out or
 * was not the current one, a lease ending twice.
 */
function leaseViolations(rows: AuditRow[]): string[] {
  const problems: string[] = [];
  let held: { token: string | null; until: number } | null = null;
  let lastUntil = Number.NEGATIVE_INFINITY;
  for (const r of rows) {
    const where = `job ${r.job_id} ${r.event} at ${r.at}`;
    if (r.event === "claim") {
      if (held) problems.push(`${where}: claimed while lease ${held.token} was unreleased`);
      if (r.at < lastUntil) problems.push(`${where}: claimed before the last lease ran out`);
      held = { token: r.token, until: r.locked_until ?? 0 };
    } else if (!held || held.token !== r.token) {
      problems.push(`${where}: by ${r.token}, which does not hold the job`);
    } else if (r.event === "extend" || r.event === "completed") {
      if (r.at >= held.until) problems.push(`${where}: its lease had run out at ${held.until}`);
      if (r.event === "extend") held.until = r.locked_until ?? 0;
      else held = null;
    } else {
      // Back to pending or failed: by the worker's own fail, or reclaimed after expiry.
      lastUntil = held.until;
      held = null;
    }
  }
  return problems;
}

describe("workers killed mid-job", () => {
  const JOBS = 40;
  const WORKERS = 4;
  const LEASE_MS = 150;
  /** Jobs take up to this long: many outlive their lease. */
  const WORK_MAX_MS = 260;
  const KILL_EVERY_MS = 120;

  test(
    `${JOBS} jobs, ${WORKERS} workers with ${LEASE_MS} ms leases, one killed every ${KILL_EVERY_MS} ms`,
    async () => {
      const db = join(tempDir(), "queue.db");
      const ids: number[] = [];
      {
        using store = openStore({ path: db });
        store.db.run(AUDIT);
        for (let i = 0; i < JOBS; i++)
          ids.push(store.queue.enqueue("work", { i }, { maxAttempts: 1000 }));
      }
      const spawn = () =>
        startFixture("queue-worker", [db, "work", String(LEASE_MS), String(WORK_MAX_MS)]);
      const live = new Set<Fixture>();
      const done: Promise<Awaited<ReturnType<typeof finish>>>[] = [];
      const start = () => {
        const p = spawn();
        live.add(p);
        done.push(finish(p));
        p.exited.then(() => live.delete(p));
      };
      for (let i = 0; i < WORKERS; i++) start();
      let kills = 0;
      while (live.size > 0) {
        await Bun.sleep(KILL_EVERY_MS);
        const victim = [...live][Math.floor(Math.random() * live.size)];
        if (!victim || kills >= 30) continue;
        victim.kill("SIGKILL");
        kills++;
        start(); // the replacement picks up where the dead one left off, after the lease
      }
      const results = await Promise.all(done);
      for (const r of results.filter((r) => r.signal === null)) {
        expect({ code: r.code, stderr: r.stderr }).toEqual({ code: 0, stderr: "" });
      }
      expect(kills).toBeGreaterThan(5);

      using store = openStore({ path: db });
      // Never lost: every job completed, exactly once.
      expect(store.queue.stats("work")).toEqual([
        { queue: "work", pending: 0, processing: 0, completed: JOBS, failed: 0 },
      ]);
      const audit = store.db
        .query("SELECT job_id, event, token, at, locked_until FROM lease_audit ORDER BY seq")
        .all() as AuditRow[];
      const problems = ids.flatMap((id) => leaseViolations(audit.filter((r) => r.job_id === id)));
      expect(problems).toEqual([]);
      const completions = audit.filter((r) => r.event === "completed");
      expect(completions.map((r) => r.job_id).sort((a, b) => a - b)).toEqual(ids);
      // Attempts count claims, the killed workers' claims included.
      for (const id of ids) {
        const claims = audit.filter((r) => r.job_id === id && r.event === "claim").length;
        expect(store.queue.get(id)?.attempts).toBe(claims);
      }
      // The run must really have re-claimed jobs and refused stale workers.
      expect(audit.filter((r) => r.event === "pending").length).toBeGreaterThan(3);
      const said = results.map((r) => r.stdout).join("");
      expect(said).toContain("ack-refused");
      // What live workers said agrees with the store: an ack they saw succeed is the completion.
      const acked = [...said.matchAll(/^ack (\d+)$/gm)].map((m) => Number(m[1]));
      expect(new Set(acked).size).toBe(acked.length);
      for (const id of acked) expect(store.queue.get(id)?.status).toBe("completed");
    },
    TEST_TIMEOUT_MS,
  );

  test(
    "a job whose worker always dies ends failed after its max attempts",
    async () => {
      const db = join(tempDir(), "dying.db");
      const MAX = 3;
      const LEASE = 100;
      const push = coffer([
        "--db",
        db,
        "queue",
        "push",
        "dying",
        '{"doomed":true}',
        "--max-attempts",
        String(MAX),
      ]);
      expect(push.code).toBe(0);
      const id = Number(push.stdout.trim());
      for (let attempt = 1; attempt <= MAX; attempt++) {
        const worker = startFixture("queue-worker", [db, "dying", String(LEASE), "0", "hang"]);
        const reader = worker.stdout.getReader();
        const { value } = await reader.read(); // the claim line: the job is now held
        expect(new TextDecoder().decode(value)).toStartWith(`claim ${id} `);
        worker.kill("SIGKILL");
        await worker.exited;
        using store = openStore({ path: db });
        expect(store.queue.get(id)).toMatchObject({ status: "processing", attempts: attempt });
        await Bun.sleep(LEASE + 20); // let the dead worker's lease run out
      }
      // The next claim finds the last lease expired with no attempts left.
      const pop = coffer(["--db", db, "queue", "pop", "dying"]);
      expect(pop.code).toBe(3);
      const list = coffer(["--db", db, "--json", "queue", "list", "dying", "--status", "failed"]);
      expect(list.code).toBe(0);
      const [job] = JSON.parse(list.stdout) as {
        id: number;
        attempts: number;
        lastError: string;
      }[];
      expect(job).toMatchObject({ id, attempts: MAX });
      expect(job?.lastError).toContain(`lease expired on attempt ${MAX} of ${MAX}`);
    },
    TEST_TIMEOUT_MS,
  );
});

describe("concurrent pops", () => {
  const JOBS = 20;
  const POPS = 30;

  test(
    `${POPS} concurrent \`coffer queue pop\` never hand out a job twice`,
    async () => {
      const db = join(tempDir(), "pops.db");
      {
        using store = openStore({ path: db });
        for (let i = 0; i < JOBS; i++) store.queue.enqueue("pop", { i });
      }
      const results = await Promise.all(
        Array.from({ length: POPS }, () =>
          finish(
            Bun.spawn([BINARY, "--db", db, "queue", "pop", "pop", "--lease", "600000"], {
              env: baseEnv(),
              stdin: "ignore",
              stdout: "pipe",
              stderr: "pipe",
            }),
          ),
        ),
      );
      const claimed = results
        .filter((r) => r.code === 0)
        .map((r) => JSON.parse(r.stdout) as { id: number });
      const empty = results.filter((r) => r.code === 3);
      expect(claimed.length + empty.length).toBe(POPS); // nothing but "claimed" or "none due"
      expect(claimed.length).toBe(JOBS);
      expect(new Set(claimed.map((j) => j.id)).size).toBe(JOBS);
      for (const r of empty) expect(r.stderr).toContain("no job due");
    },
    TEST_TIMEOUT_MS,
  );
});
