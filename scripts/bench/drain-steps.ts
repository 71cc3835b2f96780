// `bun scripts/bench/drain-steps.ts [--jobs N] [--rounds N]`: where a worker's
// CPU time per job goes. Drains N pre-enqueued jobs with coffer's own
// connection and SQL, adding one step at a time (the settle-and-claim
// transaction alone, the housekeeping check, the expired-lease reclaim and
// schedule look a claim made every time before, the row parse), and the full
// store.queue.work, each in µs per job of process CPU time; then the bare
// loop's statements timed one by one (wall µs, Bun.nanoseconds around each).
// Beside them, plainjob's own loop and two floors no one-transaction-per-job
// loop can go under (see floor()): 2x plainjob is half its row.

import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { openStore } from "../../src/index.ts";
import { toJob } from "../../src/state/job.ts";
import { ACK_HELD, CLAIM_NEXT, LIVE, RECLAIM_EXPIRED } from "../../src/state/queue/sqlite-sql.ts";
import { drainPlainjob } from "./plainjob-drain.ts";

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

/**
 * The floor under any one-transaction-per-job loop, on the same connection
 * settings: `tiny`, one UPDATE of one row in a one-page table per transaction;
 * `minimal`, the least a claim and ack can be on coffer's jobs table (the next
 * pending id read, then one status UPDATE: no lease, no token, no RETURNING).
 */
function floor(kind: "tiny" | "minimal"): number {
  using store = openStore({ path: join(dir, `s-${files++}.db`), synchronous: "NORMAL" });
  store.queue.enqueueMany(
    QUEUE,
    Array.from({ length: JOBS }, (_, i) => ({ task: "send", i })),
  );
  const db = store.db;
  db.run("CREATE TABLE tiny (id INTEGER PRIMARY KEY, n INTEGER NOT NULL)");
  db.run("INSERT INTO tiny VALUES (1, 0)");
  const begin = db.query("BEGIN IMMEDIATE");
  const commit = db.query("COMMIT");
  const bump = db.query("UPDATE tiny SET n = n + 1 WHERE id = 1");
  const next = db.query(
    `SELECT id FROM jobs WHERE queue = ?1 AND status = 'pending' AND ${LIVE} ORDER BY priority DESC, id LIMIT 1`,
  );
  const done = db.query("UPDATE jobs SET status = 'completed' WHERE id = ?1");
  const t = cpu();
  for (let n = 0; n < JOBS; n++) {
    begin.run();
    if (kind === "tiny") bump.run();
    else {
      const row = next.get(QUEUE) as { id: number } | null;
      if (!row) throw new Error(`drained ${n}`);
      done.run(row.id);
    }
    commit.run();
  }
  return (cpu() - t) / JOBS;
}

/** plainjob's own worker loop (plainjob-drain.ts): the baseline the floors are read against. */
function plainjob(): number {
  const payloads = Array.from({ length: JOBS }, (_, i) => ({ task: "send", i }));
  return drainPlainjob(join(dir, `p-${files++}.db`), QUEUE, payloads, cpu) / JOBS;
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
  ["plainjob 0.0.14 (claim, read, done)", plainjob],
  ["floor: one-row UPDATE, own transaction", () => floor("tiny")],
  ["floor: next id + status UPDATE", () => floor("minimal")],
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
const baseline = rows.findIndex(([name]) => name.startsWith("plainjob"));
console.log(`\nCPU µs per job, draining ${JOBS} jobs, median of ${ROUNDS} rounds\n`);
console.log(`${"".padEnd(40)}${"µs/job".padStart(8)}${"× plainjob".padStart(12)}`);
for (const [i, [name]] of rows.entries()) {
  // Speed against plainjob, per round (the same round's plainjob), then the median.
  const ratio = median(
    (results[i] ?? []).map((us, r) => (results[baseline]?.[r] ?? Number.NaN) / us),
  );
  console.log(
    `${name.padEnd(40)}${median(results[i] ?? [])
      .toFixed(1)
      .padStart(8)}${ratio.toFixed(2).padStart(12)}`,
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
