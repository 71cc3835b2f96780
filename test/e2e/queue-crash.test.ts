// The queue under dying workers: a job whose worker is killed is claimed again
// once its lease runs out, is never lost, and is never held under two valid
// leases at once; a job whose worker always dies ends failed. Workers are
// real processes; triggers added to the test store audit every lease change
// in the same transaction as the change, so even killed workers' claims count.

import { describe, expect, test } from "bun:test";
import { join } from "node:path";
import { openStore } from "../../src/index.ts";
import { BINARY, baseEnv, coffer } from "../helpers/binary.ts";
import { AUDIT, type AuditRow, leaseViolations } from "../helpers/lease-audit.ts";
import { type Fixture, finish, startFixture } from "../helpers/procs.ts";
import { tempDir } from "../helpers/tmp.ts";

const TEST_TIMEOUT_MS = 120_000;

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
