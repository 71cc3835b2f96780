// `bun scripts/bench-work.ts`: workers draining pre-enqueued jobs one at a
// time. In process: queue.work with a no-op handler against plainjob's own
// worker steps (claim, read, done); on the command line: `coffer queue work
// -- true` against a shell loop of `coffer queue pop` / `ack`. Baselines are
// measured in the same run; ratios are medians of per-round ratios.
// Flags: --jobs N (in process, per round) --rounds N --cli-jobs N

import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { connect, openStore } from "../src/index.ts";
import { drainPlainjob } from "./bench/plainjob-drain.ts";

const { values } = parseArgs({
  options: {
    jobs: { type: "string", default: "10000" },
    rounds: { type: "string", default: "5" },
    "cli-jobs": { type: "string", default: "200" },
  },
});
const JOBS = Number(values.jobs);
const ROUNDS = Number(values.rounds);
const CLI_JOBS = Number(values["cli-jobs"]);
const QUEUE = "bench";
const ROOT = join(import.meta.dir, "..");
const dir = mkdtempSync(join(tmpdir(), "coffer-bench-work-"));
process.on("exit", () => rmSync(dir, { recursive: true, force: true }));
let files = 0;
const fresh = () => join(dir, `w-${files++}.db`);
const payloads = () => Array.from({ length: JOBS }, (_, i) => ({ task: "send", i }));

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? (s[mid] as number) : ((s[mid - 1] as number) + (s[mid] as number)) / 2;
}

/**
 * Jobs per CPU second of this process (user + system): the drain is
 * CPU-bound (synchronous=NORMAL, no fsync per commit), and CPU time is far
 * less disturbed than wall time by whatever else the machine runs.
 */
type Contender = { name: string; run(): Promise<number> };

function cpuNow(): number {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1e6;
}

const cofferStore: Contender = {
  name: "coffer, store.queue.work (no-op)",
  async run() {
    using store = openStore({ path: fresh(), synchronous: "NORMAL" });
    store.queue.enqueueMany(QUEUE, payloads());
    const t = cpuNow();
    const r = await store.queue.work(QUEUE, () => {}, { exitWhenEmpty: true });
    if (r.completed !== JOBS) throw new Error(`coffer drained ${r.completed}`);
    return JOBS / (cpuNow() - t);
  },
};

const cofferClient: Contender = {
  name: "coffer, connect() client.queue.work",
  async run() {
    const client = await connect(fresh(), { synchronous: "NORMAL" });
    try {
      await client.queue.enqueueMany(QUEUE, payloads());
      const t = cpuNow();
      const r = await client.queue.work(QUEUE, () => {}, { exitWhenEmpty: true });
      if (r.completed !== JOBS) throw new Error(`coffer drained ${r.completed}`);
      return JOBS / (cpuNow() - t);
    } finally {
      await client.close();
    }
  },
};

/** plainjob's own worker loop (scripts/bench/plainjob-drain.ts). */
const plainjob: Contender = {
  name: "plainjob 0.0.14 (claim, read, done)",
  async run() {
    return JOBS / drainPlainjob(fresh(), QUEUE, payloads(), cpuNow);
  },
};

async function inProcess(): Promise<void> {
  const contenders = [plainjob, cofferStore, cofferClient];
  const rounds: Map<Contender, number>[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    const rates = new Map<Contender, number>();
    for (let k = 0; k < contenders.length; k++) {
      const c = contenders[(round + k) % contenders.length] as Contender;
      rates.set(c, await c.run());
    }
    rounds.push(rates);
  }
  console.log(
    `\nDraining ${JOBS} pre-enqueued jobs one at a time, ${ROUNDS} rounds, synchronous=NORMAL\n`,
  );
  console.log(`${"".padEnd(40)}${"jobs/cpu-s".padStart(11)}${"× plainjob".padStart(12)}`);
  for (const c of contenders) {
    const rate = median(rounds.map((r) => r.get(c) ?? 0));
    const ratio = median(rounds.map((r) => (r.get(c) ?? 0) / (r.get(plainjob) ?? 1)));
    console.log(
      `${c.name.padEnd(40)}${rate.toFixed(0).padStart(11)}${ratio.toFixed(2).padStart(12)}`,
    );
  }
}

async function cli(): Promise<void> {
  const binary = join(ROOT, "dist", "coffer");
  const env = { PATH: process.env.PATH ?? "/usr/bin:/bin", HOME: dir };
  const filled = () => {
    const path = fresh();
    using store = openStore({ path });
    store.queue.enqueueMany(
      QUEUE,
      Array.from({ length: CLI_JOBS }, (_, i) => ({ i })),
    );
    return path;
  };
  const timed = (argv: string[], db: string) => {
    const t = performance.now();
    const r = Bun.spawnSync(argv, {
      env: { ...env, COFFER_DB: db },
      stdout: "ignore",
      stderr: "pipe",
    });
    if (r.exitCode !== 0) throw new Error(r.stderr.toString());
    return CLI_JOBS / ((performance.now() - t) / 1000);
  };
  const loop = `while j=$("${binary}" queue pop ${QUEUE}); do
    id=$(printf %s "$j" | sed -n 's/.*"id": *\\([0-9]*\\).*/\\1/p' | head -n 1)
    "${binary}" queue ack "$id" || exit 1; done; exit 0`;
  const shell = timed(["sh", "-c", loop], filled());
  const work = timed([binary, "queue", "work", QUEUE, "--exit-when-empty", "--", "true"], filled());
  console.log(`\nCommand-line worker, ${CLI_JOBS} jobs, CMD = true\n`);
  console.log(`${"".padEnd(40)}${"jobs/s".padStart(8)}${"× shell".padStart(9)}`);
  console.log(
    `${"shell loop: coffer queue pop / ack".padEnd(40)}${shell.toFixed(0).padStart(8)}${"1.00".padStart(9)}`,
  );
  console.log(
    `${"coffer queue work -- true".padEnd(40)}${work.toFixed(0).padStart(8)}${(work / shell).toFixed(2).padStart(9)}`,
  );
}

console.log(`coffer worker benchmark — Bun ${Bun.version}`);
await inProcess();
await cli();
