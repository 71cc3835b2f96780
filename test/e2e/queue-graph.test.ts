// Groups, dependencies and schedules through `coffer queue work` and the
// schedule commands, on the binary, both engines.

import { describe, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { coffer } from "../helpers/binary.ts";
import { tempDir } from "../helpers/tmp.ts";
import { ENGINES, finished, startWorker, withClient } from "../helpers/workers.ts";

for (const engine of ENGINES) {
  describe(`groups, dependencies and schedules on ${engine.name}`, () => {
    test("a group's jobs run one at a time in push order, groups side by side (--concurrency 4)", async () => {
      const db = await engine.fresh("graph_groups");
      const log = join(tempDir(), "log");
      await withClient(db, async (c) => {
        for (let i = 0; i < 5; i++) {
          for (const g of ["a", "b", "c"]) await c.queue.enqueue("q", `${g}${i}`, { group: g });
        }
      });
      const script = `p=$(cat | tr -d '"'); echo "start $p" >> ${log}; sleep 0.05; echo "end $p" >> ${log}`;
      const w = startWorker(db, [
        "q",
        "--concurrency",
        "4",
        "--exit-when-empty",
        "--",
        "sh",
        "-c",
        script,
      ]);
      expect((await finished(w)).code).toBe(0);
      const lines = readFileSync(log, "utf8").trim().split("\n");
      expect(lines.length).toBe(30);
      for (const g of ["a", "b", "c"]) {
        const mine = lines.filter((l) => new RegExp(` ${g}\\d$`).test(l));
        const expected = [0, 1, 2, 3, 4].flatMap((i) => [`start ${g}${i}`, `end ${g}${i}`]);
        expect(mine).toEqual(expected);
      }
      // Groups ran side by side: some group started before another one's job ended.
      const firstEnd = lines.findIndex((l) => l.startsWith("end"));
      expect(lines.slice(0, firstEnd).length).toBeGreaterThan(1);
    });

    test("a job waits for its parents; a parent that fails for good fails its children", async () => {
      const db = await engine.fresh("graph_deps");
      const log = join(tempDir(), "log");
      const run = (...args: string[]) => coffer(args, { env: { COFFER_DB: db } });
      const c = run("queue", "push", "q", '"c"').stdout.trim();
      const a = run("queue", "push", "q", '"a"', "--after", c).stdout.trim();
      const b = run("queue", "push", "q", '"b"', "--after", `${a},${c}`).stdout.trim();
      const d = run("queue", "push", "q", '"d"', "--max-attempts", "1").stdout.trim();
      const e = run("queue", "push", "q", '"e"', "--after", d).stdout.trim();
      const f = run("queue", "push", "q", '"f"', "--after", e).stdout.trim();
      expect(run("queue", "push", "q", "{}", "--after", "99999").code).toBe(3);
      expect(run("queue", "push", "q", "{}", "--after", "x").code).toBe(2);
      const script = `p=$(cat | tr -d '"'); echo "$p" >> ${log}; [ "$p" != d ]`;
      const w = startWorker(db, ["q", "--exit-when-empty", "--", "sh", "-c", script]);
      expect((await finished(w)).code).toBe(0);
      expect(readFileSync(log, "utf8").split("\n").filter(Boolean)).toEqual(["c", "a", "b", "d"]);
      const jobs = await withClient(db, (cl) => cl.queue.list("q"));
      const byId = new Map(jobs.map((j) => [String(j.id), j]));
      expect([a, b, c].map((id) => byId.get(id)?.status)).toEqual([
        "completed",
        "completed",
        "completed",
      ]);
      expect(byId.get(e)?.lastError).toBe(`dependency ${d} failed`);
      expect(byId.get(f)?.lastError).toBe(`dependency ${e} failed`);
      const late = run("queue", "push", "q", "{}", "--after", d).stdout.trim();
      expect((await withClient(db, (cl) => cl.queue.get(Number(late))))?.status).toBe("failed");
    });

    test("a schedule with three workers: one job per occurrence", async () => {
      const db = await engine.fresh("graph_sched");
      const log = join(tempDir(), "log");
      const env = { env: { COFFER_DB: db } };
      expect(
        coffer(["queue", "schedule", "add", "tick", "q", "--every", "1s", '{"t":1}'], env).code,
      ).toBe(0);
      const cmd = ["sh", "-c", `cat >/dev/null; echo "$COFFER_JOB_ID" >> ${log}`];
      const workers = [0, 1, 2].map(() => startWorker(db, ["q", "--", ...cmd]));
      await Bun.sleep(3600);
      for (const w of workers) w.kill("SIGTERM");
      for (const w of workers) expect((await finished(w)).code).toBe(0);
      const jobs = await withClient(db, (c) => c.queue.list("q"));
      expect(jobs.length).toBeGreaterThanOrEqual(2);
      expect(jobs.length).toBeLessThanOrEqual(4);
      expect(new Set(jobs.map((j) => j.runAt)).size).toBe(jobs.length);
      expect(jobs.every((j) => j.status === "completed")).toBe(true);
      const ran = readFileSync(log, "utf8").split("\n").filter(Boolean);
      expect(ran.sort()).toEqual(jobs.map((j) => String(j.id)).sort());
      const listed = JSON.parse(coffer(["--json", "queue", "schedule", "list"], env).stdout);
      expect(listed).toMatchObject([{ name: "tick", queue: "q", everyMs: 1000, tz: "UTC" }]);
      expect(coffer(["queue", "schedule", "rm", "tick"], env).code).toBe(0);
      expect(coffer(["queue", "schedule", "rm", "tick"], env).code).toBe(3);
    });

    test("occurrences missed while nothing ran give one catch-up job; bad specs exit 2", async () => {
      const db = await engine.fresh("graph_catchup");
      const run = (...args: string[]) => coffer(args, { env: { COFFER_DB: db } });
      expect(run("queue", "schedule", "add", "t", "q", "--every", "1s").code).toBe(0);
      await Bun.sleep(3300);
      expect(run("queue", "pop", "q").code).toBe(0);
      expect(run("queue", "pop", "q").code).toBe(3);
      for (const bad of [
        ["--cron", "* * *"],
        ["--cron", "61 * * * *"],
        ["--cron", "*/0 * * * *"],
        ["--every", "1s", "--cron", "* * * * *"],
        [],
        ["--cron", "* * * * *", "--tz", "Mars/Olympus"],
        ["--every", "soon"],
      ]) {
        const r = run("queue", "schedule", "add", "x", "q", ...bad);
        expect(r.code, bad.join(" ")).toBe(2);
        expect(r.stderr).toStartWith("coffer: error: ");
      }
      const cron = JSON.parse(
        run(
          "--json",
          "queue",
          "schedule",
          "add",
          "c",
          "q",
          "--cron",
          "0 9 * * mon-fri",
          "--tz",
          "Europe/Paris",
        ).stdout,
      );
      expect(cron.cron).toBe("0 9 * * mon-fri");
      expect(new Date(cron.nextRun).getUTCMinutes()).toBe(0);
    });
  });
}
