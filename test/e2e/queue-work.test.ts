// `coffer queue work` on the binary, on both engines: exit code to ack/fail,
// timeout, the lease kept alive, SIGTERM within and past the grace period,
// no CPU while idle, and a pushed job picked up at once.

import { describe, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { BINARY, baseEnv, coffer } from "../helpers/binary.ts";
import { tempDir } from "../helpers/tmp.ts";
import { cpuTicks, ENGINES, finished, startWorker, until, withClient } from "../helpers/workers.ts";

/** SIGKILL to `pid`, if it still exists. */
function kill(pid: number): void {
  try {
    process.kill(pid, "SIGKILL");
  } catch {}
}

for (const engine of ENGINES) {
  describe(`coffer queue work on ${engine.name}`, () => {
    test("acks on exit 0, fails with the stderr tail otherwise, and times out", async () => {
      const db = await engine.fresh("work_exit");
      const ids = await withClient(db, async (c) => [
        await c.queue.enqueue("q", { n: 1 }),
        await c.queue.enqueue("q", { n: 2 }, { maxAttempts: 1 }),
        await c.queue.enqueue("q", { n: 3 }, { maxAttempts: 1 }),
      ]);
      const script = `read p; echo "$COFFER_JOB_ID $COFFER_JOB_QUEUE $COFFER_JOB_ATTEMPT $p"
        case "$p" in *2*) printf 'x%.0s' $(seq 5000) >&2; echo " the end" >&2; exit 4;; *3*) exec sleep 30;; esac`;
      const w = startWorker(db, [
        "q",
        "--exit-when-empty",
        "--timeout",
        "500",
        "--",
        "sh",
        "-c",
        script,
      ]);
      const r = await finished(w);
      expect(r.code).toBe(0);
      expect(r.stdout).toContain(`${ids[0]} q 1 {"n":1}`);
      const jobs = await withClient(db, (c) => c.queue.list("q"));
      expect(jobs.map((j) => j.status)).toEqual(["completed", "failed", "failed"]);
      // The last 4 KiB of stderr (its final newline trimmed), not the first.
      expect(jobs[1]?.lastError).toBe(`${"x".repeat(4087)} the end`);
      expect(jobs[2]?.lastError).toBe("timed out after 500 ms");
      // CMD's stderr passed through; each failure is told in one line of coffer's own.
      const told = r.stderr.split("\n").filter((l) => l.startsWith("coffer: "));
      expect(told).toEqual([
        `coffer: warning: job ${ids[1]} (attempt 1 of 1) exited with code 4; it failed for good`,
        `coffer: warning: job ${ids[2]} (attempt 1 of 1) timed out after 500 ms; it failed for good`,
      ]);
      expect(r.stderr).toContain("x the end\n");
    });

    test("a failure with attempts left is told as such, a success not at all", async () => {
      const db = await engine.fresh("work_told");
      const [ok, bad] = await withClient(db, async (c) => [
        await c.queue.enqueue("q", { n: 1 }),
        await c.queue.enqueue("q", { n: 2 }, { maxAttempts: 2 }),
      ]);
      const w = startWorker(db, [
        "q",
        "--exit-when-empty",
        "--",
        "sh",
        "-c",
        `[ "$COFFER_JOB_ID" = ${ok} ]`,
      ]);
      const r = await finished(w);
      expect(r.code).toBe(0);
      expect(r.stderr).toBe(
        `coffer: warning: job ${bad} (attempt 1 of 2) exited with code 1; it will be retried\n`,
      );
    });

    test("a timeout stops all CMD started, a child that ignores SIGTERM too", async () => {
      const db = await engine.fresh("work_group");
      const dir = tempDir();
      await withClient(db, (c) => c.queue.enqueue("q", { n: 1 }, { maxAttempts: 1 }));
      // sh starts two children and waits: one dies by SIGTERM, one only by SIGKILL.
      const script = `sleep 60 & echo $! > ${dir}/a; sh -c 'trap "" TERM; echo $$ > ${dir}/b; exec sleep 60' & wait`;
      const began = Date.now();
      const w = startWorker(db, [
        "q",
        "--exit-when-empty",
        "--timeout",
        "400",
        "--",
        "sh",
        "-c",
        script,
      ]);
      const r = await finished(w);
      expect(r.code).toBe(0);
      const pids = ["a", "b"].map((f) => Number(readFileSync(join(dir, f), "utf8")));
      for (const pid of pids) expect(pid).toBeGreaterThan(1);
      // Against a coffer that leaves them running, the test must not leave them either.
      using _reap = {
        [Symbol.dispose]: () => {
          for (const pid of pids) kill(pid);
        },
      };
      // A zombie (no reaper in some containers) is as dead as a process gets.
      const alive = (pid: number) => {
        try {
          return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, "utf8"));
        } catch {
          return false;
        }
      };
      await until(() => pids.every((pid) => !alive(pid)), 8000);
      // The TERM-proof child outlived sh, so the group got SIGKILL when sh died, not 5 s later.
      expect(Date.now() - began).toBeLessThan(4500);
      const [job] = await withClient(db, (c) => c.queue.list("q"));
      expect(job?.lastError).toBe("timed out after 400 ms");
    });

    test("keeps a short lease alive while CMD runs: a second worker never gets the job", async () => {
      const db = await engine.fresh("work_lease");
      const log = join(tempDir(), "runs");
      await withClient(db, (c) => c.queue.enqueue("q", { n: 1 }));
      const cmd = ["sh", "-c", `echo run >> ${log}; sleep 1.5`];
      const a = startWorker(db, ["q", "--lease", "300", "--max-jobs", "1", "--", ...cmd]);
      await until(() => readFileSync(log, { flag: "a+" }).length > 0);
      const b = startWorker(db, ["q", "--lease", "300", "--max-jobs", "1", "--", ...cmd]);
      expect((await finished(a)).code).toBe(0);
      await Bun.sleep(400);
      b.kill("SIGTERM");
      expect((await finished(b)).code).toBe(0);
      expect(readFileSync(log, "utf8")).toBe("run\n");
      const [job] = await withClient(db, (c) => c.queue.list("q"));
      expect(job?.status).toBe("completed");
      expect(job?.attempts).toBe(1);
    });

    test("SIGTERM: a job that ends within --grace is acked; past it, released unfinished", async () => {
      const db = await engine.fresh("work_grace");
      const [quick, slow] = await withClient(db, async (c) => [
        await c.queue.enqueue("q", { s: 1 }),
        await c.queue.enqueue("q", { s: 30 }),
      ]);
      const script = `read p; s=$(echo "$p" | tr -dc 0-9); echo start; exec sleep "$s"`;
      const w1 = startWorker(db, [
        "q",
        "--max-jobs",
        "1",
        "--grace",
        "5000",
        "--",
        "sh",
        "-c",
        script,
      ]);
      await until(
        async () => (await withClient(db, (c) => c.queue.get(quick)))?.status !== "pending",
      );
      await Bun.sleep(200);
      w1.kill("SIGTERM");
      expect((await finished(w1)).code).toBe(0);
      const w2 = startWorker(db, ["q", "--grace", "300", "--", "sh", "-c", script]);
      await until(
        async () => (await withClient(db, (c) => c.queue.get(slow)))?.status === "processing",
      );
      await Bun.sleep(200);
      w2.kill("SIGTERM");
      const r = await finished(w2);
      expect(r.code).toBe(0);
      const jobs = await withClient(db, async (c) => [
        await c.queue.get(quick),
        await c.queue.get(slow),
      ]);
      expect(jobs[0]?.status).toBe("completed");
      expect(jobs[1]?.status).toBe("pending");
      expect(jobs[1]?.attempts).toBe(0);
      expect(r.stderr).not.toContain("coffer: warning: job"); // released, not failed
      // A second signal ends a long grace period at once.
      const w3 = startWorker(db, ["q", "--grace", "60000", "--", "sh", "-c", script]);
      await until(
        async () => (await withClient(db, (c) => c.queue.get(slow)))?.status === "processing",
      );
      w3.kill("SIGTERM");
      await Bun.sleep(300);
      w3.kill("SIGTERM");
      expect((await finished(w3)).code).toBe(0);
      expect((await withClient(db, (c) => c.queue.get(slow)))?.attempts).toBe(0);
    });

    test("idle it uses no CPU, and picks a pushed job up at once", async () => {
      const db = await engine.fresh("work_idle");
      await withClient(db, (c) => c.queue.stats());
      const w = startWorker(db, ["q", "--", "sh", "-c", "cat >/dev/null; date +%s%3N"]);
      // A failed expect must not leave the worker running (and spending CPU) into later tests.
      using _stop = { [Symbol.dispose]: () => w.kill("SIGKILL") };
      await Bun.sleep(800);
      const before = await cpuTicks(w.pid);
      await Bun.sleep(3000);
      const used = (await cpuTicks(w.pid)) - before;
      // Clock ticks are 10 ms: 3 s idle may cost a probe or two, never a busy loop (300 ticks).
      expect(used).toBeLessThanOrEqual(3);
      const latencies: number[] = [];
      const reader = w.stdout.getReader();
      for (let i = 0; i < 3; i++) {
        const pushed = Date.now();
        expect(coffer(["queue", "push", "q", "{}"], { env: { COFFER_DB: db } }).code).toBe(0);
        const { value } = await reader.read();
        latencies.push(Number(new TextDecoder().decode(value).trim()) - pushed);
      }
      reader.releaseLock();
      w.kill("SIGTERM");
      expect(await w.exited).toBe(0);
      // From the push's start (binary start included) to CMD running: within 100 ms plus that start.
      expect(Math.min(...latencies)).toBeLessThan(150);
    });
  });
}

test("on SQLite, writes to other files beside the store do not wake an idle worker", async () => {
  const dir = tempDir();
  const db = join(dir, "busy.db");
  await withClient(db, (c) => c.queue.stats());
  const w = startWorker(db, ["q", "--", "sh", "-c", "cat >/dev/null; echo ran"]);
  using _stop = { [Symbol.dispose]: () => w.kill("SIGKILL") };
  await Bun.sleep(800);
  // A log appended beside the store, ~1,000 times a second for 3 s.
  const log = Bun.spawn(
    [
      "sh",
      "-c",
      `i=0; while [ $i -lt 3000 ]; do echo x >> ${dir}/app.log; i=$((i+1)); sleep 0.001; done`,
    ],
    { stdout: "ignore", stderr: "ignore" },
  );
  using _log = { [Symbol.dispose]: () => log.kill("SIGKILL") };
  const before = await cpuTicks(w.pid);
  await Bun.sleep(3000);
  const used = (await cpuTicks(w.pid)) - before;
  expect(used).toBeLessThanOrEqual(3);
  // And a push still wakes it at once (the fallback probe is 2 s away).
  const reader = w.stdout.getReader();
  expect(coffer(["queue", "push", "q", "{}"], { env: { COFFER_DB: db } }).code).toBe(0);
  const { value } = await Promise.race([
    reader.read(),
    Bun.sleep(300).then(() => ({ value: undefined })),
  ]);
  expect(new TextDecoder().decode(value)).toBe("ran\n");
  reader.releaseLock();
  w.kill("SIGTERM");
  expect(await w.exited).toBe(0);
});

test("queue work refuses what it cannot run", () => {
  const db = join(tempDir(), "refuse.db");
  const env = { COFFER_DB: db };
  const none = coffer(["queue", "work", "q"], { env });
  expect(none.code).toBe(2);
  expect(none.stderr).toContain("coffer: error: no command to run");
  const missing = coffer(["queue", "work", "q", "--", "no-such-cmd-xyz"], { env });
  expect(missing.code).toBe(127);
  expect(coffer(["queue", "work", "q", "--concurrency", "0", "--", "true"], { env }).code).toBe(2);
});

for (const engine of ENGINES) {
  describe(`coffer queue work --secrets on ${engine.name}`, () => {
    test("unlocks once; each CMD gets the secrets, masked in its output and in the stored error", async () => {
      const { cheapConfig, vaultEnv } = await import("../helpers/vault.ts");
      const dir = tempDir();
      cheapConfig(dir);
      const base = vaultEnv(dir, { COFFER_PASSPHRASE: "work pass" });
      const env =
        engine.name === "sqlite"
          ? base
          : { ...base, COFFER_DB: await engine.fresh("work_secrets") };
      const secret = "work-canary-0123456789";
      expect(coffer(["secret", "import", "-"], { env, stdin: `API_KEY=${secret}\n` }).code).toBe(0);
      const db = env.COFFER_DB as string;
      await withClient(db, async (c) => {
        await c.queue.enqueue("q", "ok");
        await c.queue.enqueue("q", "bad", { maxAttempts: 1 });
      });
      const script = `p=$(cat); echo "out $API_KEY"; echo "pass [$COFFER_PASSPHRASE]"; [ "$p" = '"ok"' ] || { echo "err $API_KEY" >&2; exit 1; }`;
      const w = Bun.spawn(
        [BINARY, "queue", "work", "q", "--secrets", "--exit-when-empty", "--", "sh", "-c", script],
        { env: baseEnv(env), stdin: "ignore", stdout: "pipe", stderr: "pipe" },
      );
      const r = await finished(w);
      expect(r.code).toBe(0);
      expect(r.stdout).toContain("out [redacted]");
      expect(r.stdout).toContain("pass []");
      expect(r.stdout + r.stderr).not.toContain(secret);
      const jobs = await withClient(db, (c) => c.queue.list("q"));
      expect(jobs.map((j) => j.status)).toEqual(["completed", "failed"]);
      expect(jobs[1]?.lastError).toBe("err [redacted]");
    });
  });
}
