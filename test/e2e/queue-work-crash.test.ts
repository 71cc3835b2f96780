// Crash rounds for `coffer queue work`, both engines: SIGKILL the worker, or
// separately its CMD, at random moments. Every job still completes at least
// once, none stays stuck past its lease, a group's jobs never start out of
// push order, and no schedule occurrence is enqueued twice.

import { describe, expect, test } from "bun:test";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { tempDir } from "../helpers/tmp.ts";
import { ENGINES, finished, startWorker, until, withClient } from "../helpers/workers.ts";

const ROUNDS = 10;
const GROUPS = ["a", "b", "c"];

for (const engine of ENGINES) {
  describe(`queue work crash rounds on ${engine.name}`, () => {
    test("SIGKILL of the worker or of its CMD loses no job and breaks no order", async () => {
      const db = await engine.fresh("work_crash");
      const dir = tempDir();
      const log = join(dir, "log");
      const pidFile = join(dir, "cmd.pid");
      const ids = await withClient(db, async (c) => {
        const all: number[] = [];
        for (let i = 0; i < 6; i++) {
          for (const g of GROUPS)
            all.push(await c.queue.enqueue("q", { g, i }, { group: g, maxAttempts: 100 }));
          all.push(await c.queue.enqueue("q", { i }, { maxAttempts: 100 }));
        }
        await c.queue.addSchedule("tick", "q", { every: 1000, payload: { s: 1 } });
        return all;
      });
      const script = `echo $$ > ${pidFile}; cat >/dev/null; echo "start $COFFER_JOB_ID" >> ${log}
        sleep 0.0$((RANDOM % 9)); echo "end $COFFER_JOB_ID" >> ${log}`;
      const args = ["q", "--lease", "400", "--concurrency", "2", "--", "bash", "-c", script];
      for (let round = 0; round < ROUNDS; round++) {
        const w = startWorker(db, args);
        await Bun.sleep(150 + Math.random() * 350);
        if (round % 2 === 0) {
          w.kill("SIGKILL");
        } else if (existsSync(pidFile)) {
          // The file may be caught empty between the shell's truncate and write: Number("")
          // is 0, and kill(0) would SIGKILL this whole process group, the test runner too.
          const pid = Number.parseInt(readFileSync(pidFile, "utf8"), 10);
          try {
            if (pid > 1) process.kill(pid, "SIGKILL");
          } catch {
            // It had finished already.
          }
          await Bun.sleep(100);
          w.kill("SIGKILL");
        }
        await w.exited;
      }
      await withClient(db, (c) => c.queue.removeSchedule("tick"));
      // One last worker drains the rest, including jobs whose leases must run out first.
      const last = startWorker(db, ["q", "--lease", "400", "--", "bash", "-c", script]);
      await Bun.sleep(300); // started, its signal handlers in place
      await until(async () => {
        const [s] = await withClient(db, (c) => c.queue.stats("q"));
        return s !== undefined && s.pending === 0 && s.processing === 0;
      }, 30_000);
      last.kill("SIGTERM");
      expect((await finished(last)).code).toBe(0);

      const jobs = await withClient(db, (c) => c.queue.list("q", { limit: 1000 }));
      expect(jobs.every((j) => j.status === "completed")).toBe(true);
      expect(jobs.filter((j) => ids.includes(j.id)).length).toBe(ids.length);
      const events = readFileSync(log, "utf8").trim().split("\n");
      const ended = new Set(
        events.filter((e) => e.startsWith("end")).map((e) => Number(e.slice(4))),
      );
      for (const j of jobs) expect(ended.has(j.id)).toBe(true);
      // Per group: once a job started, no earlier job of its group starts again.
      const groupOf = new Map(jobs.map((j) => [j.id, j.group]));
      for (const g of GROUPS) {
        const starts = events
          .filter((e) => e.startsWith("start") && groupOf.get(Number(e.slice(6))) === g)
          .map((e) => Number(e.slice(6)));
        expect(starts).toEqual([...starts].sort((x, y) => x - y));
      }
      const ticks = jobs.filter((j) => (j.payload as { s?: number }).s === 1);
      expect(ticks.length).toBeGreaterThan(0);
      expect(new Set(ticks.map((j) => j.runAt)).size).toBe(ticks.length);
    });
  });
}
