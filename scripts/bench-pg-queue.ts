// `bun run bench:pg`: the PostgreSQL queue on one private server started here
// (test/helpers/pg-server.ts): the single-job cycle (enqueue → claim → ack)
// and the batch cycle of coffer beside pg-boss and beside coffer's own SQL
// with no API, then N worker processes draining pre-enqueued jobs, each
// checked to be completed exactly once. Medians of rounds; ratios per round.
// Flags: --jobs N (single cycles per round) --batches N --batch N --rounds N
//        --procs N --contention-jobs N

import { readFileSync } from "node:fs";
import { availableParallelism, loadavg } from "node:os";
import { parseArgs } from "node:util";
import { SQL } from "bun";
import { freshDatabase, pgServer } from "../test/helpers/pg-server.ts";
import { type DrainResult, drain } from "./bench/pg-contention.ts";
import { bare, coffer, type PgContender, pgBoss, type Run } from "./bench/pg-cycle.ts";

const { values } = parseArgs({
  options: {
    jobs: { type: "string", default: "1000" },
    batches: { type: "string", default: "20" },
    batch: { type: "string", default: "100" },
    rounds: { type: "string", default: "5" },
    procs: { type: "string", default: "8" },
    "contention-jobs": { type: "string", default: "2000" },
    "contention-rounds": { type: "string", default: "3" },
  },
});
const JOBS = Number(values.jobs);
const BATCHES = Number(values.batches);
const BATCH = Number(values.batch);
const ROUNDS = Number(values.rounds);
const PROCS = Number(values.procs);
const CONTENTION_JOBS = Number(values["contention-jobs"]);
const CONTENTION_ROUNDS = Number(values["contention-rounds"]);
const WARMUP = 100;

const server = await pgServer();
if (!server) process.exit(1);

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? (s[mid] as number) : ((s[mid - 1] as number) + (s[mid] as number)) / 2;
}

async function machine(): Promise<string> {
  const cpu = /model name\s*:\s*(.+)/.exec(readFileSync("/proc/cpuinfo", "utf8"))?.[1] ?? "?";
  const admin = new SQL(server?.url ?? "", { max: 1 });
  const [row] = await admin`SELECT current_setting('server_version') AS v`;
  await admin.close();
  const load = loadavg()
    .map((l) => l.toFixed(1))
    .join(" ");
  return `${availableParallelism()} × ${cpu.trim()} (load ${load}), Bun ${Bun.version}, PostgreSQL ${row.v}`;
}

/** jobs/s of `count` cycles of `n` jobs each, on a freshly emptied table. */
async function measure(run: Run, count: number, n: number): Promise<number> {
  await run.reset();
  const t = performance.now();
  for (let i = 0; i < count; i++) await run.cycle(i * n, n);
  return (count * n) / ((performance.now() - t) / 1000);
}

async function cycleTable(
  title: string,
  calls: string,
  count: number,
  n: number,
): Promise<Map<string, number>> {
  const contenders: PgContender[] = [pgBoss, bare, coffer];
  const runs = new Map<PgContender, Run>();
  for (const c of contenders) {
    const run = await c.open((await freshDatabase(server as NonNullable<typeof server>, "b")).url);
    for (let i = 0; i < Math.max(1, WARMUP / n); i++) await run.cycle(i * n, n);
    runs.set(c, run);
  }
  const rounds: Map<PgContender, number>[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    const rates = new Map<PgContender, number>();
    // Rotate the order so that no contender always runs on a warmer or cooler machine.
    for (let k = 0; k < contenders.length; k++) {
      const c = contenders[(round + k) % contenders.length] as PgContender;
      rates.set(c, await measure(runs.get(c) as Run, count, n));
    }
    rounds.push(rates);
  }
  for (const run of runs.values()) await run.close();
  // Ratios are taken within each round, then the median: the load of the moment cancels out.
  const ratio = (c: PgContender, to: PgContender) =>
    median(rounds.map((r) => (r.get(c) ?? 0) / (r.get(to) ?? 1)));
  console.log(`\n${title}`);
  console.log(calls);
  console.log(
    `${count * n} jobs × ${ROUNDS} rounds: medians; ratios are medians of per-round ratios\n`,
  );
  console.log(
    `${"".padEnd(40)}${"jobs/s".padStart(8)}${"range".padStart(13)}${"× pg-boss".padStart(11)}${"× bare SQL".padStart(12)}`,
  );
  const ratios = new Map<string, number>();
  for (const c of contenders) {
    const all = rounds.map((r) => r.get(c) ?? 0);
    const range = `${Math.min(...all).toFixed(0)}–${Math.max(...all).toFixed(0)}`;
    ratios.set(c.name, ratio(c, pgBoss));
    console.log(
      `${c.name.padEnd(40)}${median(all).toFixed(0).padStart(8)}${range.padStart(13)}${ratio(c, pgBoss).toFixed(2).padStart(11)}${ratio(c, bare).toFixed(2).padStart(12)}`,
    );
  }
  return ratios;
}

async function contentionTable(): Promise<void> {
  const rows: [string, "coffer" | "bare" | "pg-boss", number][] = [
    ["coffer, 1 process (baseline)", "coffer", 1],
    [`coffer, ${PROCS} processes`, "coffer", PROCS],
    [`coffer's SQL, no API, ${PROCS} processes`, "bare", PROCS],
    ["pg-boss, 1 process", "pg-boss", 1],
    [`pg-boss, ${PROCS} processes`, "pg-boss", PROCS],
  ];
  const results = rows.map((): DrainResult[] => []);
  for (let round = 0; round < CONTENTION_ROUNDS; round++) {
    for (let k = 0; k < rows.length; k++) {
      const at = (round + k) % rows.length;
      const [, mode, procs] = rows[at] as (typeof rows)[number];
      const db = await freshDatabase(server as NonNullable<typeof server>, "c");
      results[at]?.push(await drain(db.url, mode, procs, CONTENTION_JOBS));
    }
  }
  console.log(`\nContention: worker processes draining ${CONTENTION_JOBS} pre-enqueued jobs`);
  console.log(`(each: claim one job, ack it, repeat until empty; timed from a common start;`);
  console.log(
    `${CONTENTION_ROUNDS} rounds: medians; completed: the fewest in any round; each round checked)\n`,
  );
  console.log(
    `${"".padEnd(40)}${"jobs/s".padStart(8)}${"range".padStart(13)}${"× pg-boss".padStart(11)}${"completed".padStart(11)}${"exactly once".padStart(14)}`,
  );
  for (const [k, [name, mode, procs]] of rows.entries()) {
    const all = results[k] ?? [];
    const rates = all.map((r) => r.jobsPerSec);
    const range = `${Math.min(...rates).toFixed(0)}–${Math.max(...rates).toFixed(0)}`;
    // Beside pg-boss with as many processes, round by round (rows of one round ran back to back).
    const boss = results[rows.findIndex(([, m, p]) => m === "pg-boss" && p === procs)] ?? [];
    const ratio = median(all.map((r, i) => r.jobsPerSec / (boss[i]?.jobsPerSec ?? Number.NaN)));
    const bad = all.find((r) => !r.exactlyOnce);
    const completed = Math.min(...all.map((r) => r.completed));
    console.log(
      `${name.padEnd(40)}${median(rates).toFixed(0).padStart(8)}${range.padStart(13)}${(mode === "pg-boss" ? "1.00" : ratio.toFixed(2)).padStart(11)}${String(completed).padStart(11)}${(bad ? `NO: ${bad.problem}` : "yes").padStart(14)}`,
    );
  }
}

console.log(`coffer PostgreSQL queue benchmark — ${await machine()}`);
console.log(`one private server (fsync=off, synchronous_commit=off: the CPU cost, not the disk's)`);
const single = await cycleTable(
  "Single-job cycle: enqueue → claim → ack, one at a time",
  "(coffer: enqueue / dequeue / ack with the lease token; pg-boss: send / fetch / complete)",
  JOBS,
  1,
);
await cycleTable(
  `Batch cycle: enqueue ${BATCH}, claim ${BATCH}, ack ${BATCH}`,
  "(coffer: enqueueMany / dequeueMany / ackMany; pg-boss: insert / fetch({ batchSize }) / complete(ids))",
  BATCHES,
  BATCH,
);
await contentionTable();
const target = single.get(coffer.name) ?? 0;
console.log(`\ncoffer ÷ pg-boss, single-job cycle: ${target.toFixed(2)}× (target ≥ 1.5×)`);
server.stop();
