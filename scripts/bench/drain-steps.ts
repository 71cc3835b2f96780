// `bun scripts/bench/drain-steps.ts [--jobs N] [--rounds N]`: where a worker's
// CPU time per job goes. Drains N pre-enqueued jobs with coffer's own
// connection and SQL, adding one step at a time (the settle-and-claim
// transaction alone, the housekeeping check, the expired-lease reclaim and
// schedule look a claim made every time before, the row parse), and the full
// store.queue.work, each in µs per job of process CPU time; then the bare
// loop's statements timed one by one (wall µs, Bun.nanoseconds around each).

import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { openStore } from "../../src/index.ts";
import { toJob } from "../../src/state/job.ts";
import { ACK_HELD, CLAIM_NEXT, RECLAIM_EXPIRED } from "../../src/state/queue/sqlite-sql.ts";

const { values } = parseArgs({
  options: { jobs: { type: "string", default: "10000" }, rounds: { type: "string", default: "5" } },
});
const JOBS = Number(values.jobs);
const ROUNDS = Number(values.rounds);
const QUEUE = "bench";
const LEASE = 300_000;
const dir = mkdtempSync(join(tmpdir(), "coffer-drain-steps-"));
process.on("exit", () => rmSync(dir, { recursive: true, force: true }));
let files = 0;

const cpu = () => {
  const { user, system } = process.cpuUsage();
  return user + system;
};

type Steps = { version?: boolean; reclaim: boolean; schedules: boolean; parse: boolean };

/** µs of CPU per job for a bare drain with the given steps. */
function bare(steps: Steps): number {
  using store = openStore({ path: join(dir, `s-${files++}.db`), synchronous: "NORMAL" });
  store.queue.enqueueMany(
    QUEUE,
    Array.from({ length: JOBS }, (_, i) => ({ task: "send", i })),
  );
  const db = store.db;
  const begin = db.query("BEGIN IMMEDIATE");
  const commit = db.query("COMMIT");
  const reclaim = db.query(RECLAIM_EXPIRED);
  const schedules = db.query("SELECT * FROM schedules WHERE queue = ? AND next_run <= ?");
  const claim = db.query(CLAIM_NEXT);
  const ack = db.query(ACK_HELD);
  const version = db.query("PRAGMA data_version");
  const t = cpu();
  let now = Date.now();
  let job = claim.get(now + LEASE, now, QUEUE) as { id: number; lease_token: string } | null;
  let n = 0;
  while (job) {
    n++;
    now = Date.now();
    begin.run();
    ack.run(now, job.id, job.lease_token);
    if (steps.version) version.get();
    if (steps.reclaim) reclaim.all(now, QUEUE);
    if (steps.schedules) schedules.all(QUEUE, now);
    const row = claim.get(now + LEASE, now, QUEUE) as { id: number; lease_token: string } | null;
    commit.run();
    if (row && steps.parse) toJob(row);
    job = row;
  }
  if (n !== JOBS) throw new Error(`drained ${n}`);
  return (cpu() - t) / JOBS;
}

async function api(): Promise<number> {
  using store = openStore({ path: join(dir, `s-${files++}.db`), synchronous: "NORMAL" });
  store.queue.enqueueMany(
    QUEUE,
    Array.from({ length: JOBS }, (_, i) => ({ task: "send", i })),
  );
  const t = cpu();
  const r = await store.queue.work(QUEUE, () => {}, { exitWhenEmpty: true });
  if (r.completed !== JOBS) throw new Error(`drained ${r.completed}`);
  return (cpu() - t) / JOBS;
}

const rows: [string, () => number | Promise<number>][] = [
  ["ack + claim, one transaction", () => bare({ reclaim: false, schedules: false, parse: false })],
  [
    "+ data_version (what a claim does now)",
    () => bare({ version: true, reclaim: false, schedules: false, parse: false }),
  ],
  [
    "+ row parse (toJob)",
    () => bare({ version: true, reclaim: false, schedules: false, parse: true }),
  ],
  [
    "(before: + reclaim, + schedule look)",
    () => bare({ version: false, reclaim: true, schedules: true, parse: true }),
  ],
  ["store.queue.work (the API)", api],
];
const results = rows.map(() => [] as number[]);
for (let r = 0; r < ROUNDS; r++) {
  for (const [i, [, run]] of rows.entries()) results[i]?.push(await run());
}
/** The bare loop's statements timed one by one: wall µs per job for each. */
function split(): number[] {
  using store = openStore({ path: join(dir, `s-${files++}.db`), synchronous: "NORMAL" });
  store.queue.enqueueMany(
    QUEUE,
    Array.from({ length: JOBS }, (_, i) => ({ task: "send", i })),
  );
  const db = store.db;
  const [begin, ack, version, claim, commit] = [
    "BEGIN IMMEDIATE",
    ACK_HELD,
    "PRAGMA data_version",
    CLAIM_NEXT,
    "COMMIT",
  ].map((q) => db.query(q));
  const spent = [0, 0, 0, 0, 0, 0];
  let now = Date.now();
  let job = claim?.get(now + LEASE, now, QUEUE) as { id: number; lease_token: string } | null;
  const tick = (i: number, t: number) => {
    const n = Bun.nanoseconds();
    spent[i] = (spent[i] ?? 0) + n - t;
    return n;
  };
  while (job) {
    now = Date.now();
    let t = Bun.nanoseconds();
    begin?.run();
    t = tick(0, t);
    ack?.run(now, job.id, job.lease_token);
    t = tick(1, t);
    version?.get();
    t = tick(2, t);
    const row = claim?.get(now + LEASE, now, QUEUE) as { id: number; lease_token: string } | null;
    t = tick(3, t);
    commit?.run();
    t = tick(4, t);
    if (row) toJob(row);
    tick(5, t);
    job = row;
  }
  return spent.map((ns) => ns / 1000 / JOBS);
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1] ?? 0;
console.log(`\nCPU µs per job, draining ${JOBS} jobs, median of ${ROUNDS} rounds\n`);
for (const [i, [name]] of rows.entries()) {
  console.log(
    `${name.padEnd(36)}${median(results[i] ?? [])
      .toFixed(1)
      .padStart(8)}`,
  );
}

const parts = ["BEGIN IMMEDIATE", "ack", "data_version", "claim", "COMMIT", "toJob"];
const splits = Array.from({ length: ROUNDS }, split);
console.log("\nthe bare loop, statement by statement (wall µs per job, median)\n");
for (const [i, name] of parts.entries()) {
  console.log(
    `${name.padEnd(36)}${median(splits.map((s) => s[i] ?? 0))
      .toFixed(1)
      .padStart(8)}`,
  );
}
