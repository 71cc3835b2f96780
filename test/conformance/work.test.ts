// queue.work and queue.waitForJobs through connect(), the same test code on
// SQLite and PostgreSQL, and work on the sync Store.

import { describe, expect, test } from "bun:test";
import { join } from "node:path";
import { openStore } from "../../src/index.ts";
import { tempDir } from "../helpers/tmp.ts";
import { ENGINES, withClient } from "../helpers/workers.ts";

for (const engine of ENGINES) {
  describe(`queue.work on ${engine.name}`, () => {
    test("acks what the handler finishes, fails what it throws, and stops when asked", async () => {
      const db = await engine.fresh("conf_work");
      await withClient(db, async (c) => {
        for (let i = 0; i < 6; i++) await c.queue.enqueue("q", { i }, { maxAttempts: 1 });
        const seen: number[] = [];
        const result = await c.queue.work(
          "q",
          async (job) => {
            const { i } = job.payload as { i: number };
            seen.push(i);
            if (i === 3) throw new Error("three is bad");
          },
          { concurrency: 2, exitWhenEmpty: true },
        );
        expect(result).toEqual({ completed: 5, failed: 1, released: 0 });
        expect(seen.sort()).toEqual([0, 1, 2, 3, 4, 5]);
        const failed = await c.queue.list("q", { status: "failed" });
        expect(failed.map((j) => j.lastError)).toEqual(["three is bad"]);
        // Waiting: a job enqueued later is run; the signal ends the loop.
        const stop = new AbortController();
        const later: number[] = [];
        const running = c.queue.work(
          "q",
          (job) => {
            later.push((job.payload as { i: number }).i);
            stop.abort();
          },
          { signal: stop.signal },
        );
        await Bun.sleep(100);
        await c.queue.enqueue("q", { i: 9 });
        expect(await running).toEqual({ completed: 1, failed: 0, released: 0 });
        expect(later).toEqual([9]);
      });
    });

    test("a job still running when grace ends is released, its attempt not counted", async () => {
      const db = await engine.fresh("conf_release");
      await withClient(db, async (c) => {
        const id = await c.queue.enqueue("q", {});
        const stop = new AbortController();
        const result = await c.queue.work(
          "q",
          (_job, ctx) =>
            new Promise<void>((resolve) => {
              stop.abort();
              ctx.signal.addEventListener("abort", () => resolve());
            }),
          { signal: stop.signal, grace: 50 },
        );
        expect(result).toEqual({ completed: 0, failed: 0, released: 1 });
        const job = await c.queue.get(id);
        expect(job?.status).toBe("pending");
        expect(job?.attempts).toBe(0);
      });
    });

    test("waitForJobs wakes on another client's enqueue and times out otherwise", async () => {
      const db = await engine.fresh("conf_wait");
      await withClient(db, async (c) => {
        expect(await c.queue.waitForJobs(["a", "b"], { timeoutMs: 150 })).toBe(false);
        const waiting = c.queue.waitForJobs(["a", "b"], { timeoutMs: 5000 });
        await Bun.sleep(50);
        const began = Date.now();
        await withClient(db, (other) => other.queue.enqueue("b", {}));
        expect(await waiting).toBe(true);
        expect(Date.now() - began).toBeLessThan(1000);
        const stop = new AbortController();
        const aborted = c.queue.waitForJobs(["none"], { signal: stop.signal });
        stop.abort();
        expect(await aborted).toBe(false);
      });
    });
  });
}

test("work on the sync Store runs the same loop", async () => {
  using store = openStore({ path: join(tempDir(), "sync.db") });
  for (let i = 0; i < 3; i++) store.queue.enqueue("q", { i });
  const result = await store.queue.work("q", () => {}, { exitWhenEmpty: true });
  expect(result).toEqual({ completed: 3, failed: 0, released: 0 });
  expect(store.queue.stats("q")[0]?.completed).toBe(3);
});
