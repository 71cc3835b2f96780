// `bun run bench`: the queue's full cycle (enqueue → claim → ack) in jobs/s
// beside a naive bun:sqlite loop and plainjob, then 8-process write
// contention. Medians of several rounds, ratios from this same run.
// Flags: --jobs N (per round) --rounds N --procs N --tx N (per process)

import { Database } from "bun:sqlite";
import { mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import { availableParallelism, tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { openStore } from "../src/index.ts";
import { bare } from "./bench/bare.ts";
import {
  type Contender,
  coffer,
  cofferBatched,
  naive,
  plainjob,
  plainjobBatched,
} from "./bench/cycle.ts";

const { values } = parseArgs({
  options: {
    jobs: { type: "string", default: "3000" },
    rounds: { type: "string", default: "7" },
    procs: { type: "string", default: "8" },
    tx: { type: "string", default: "600" },
  },
});
const JOBS = Number(values.jobs);
const ROUNDS = Number(values.rounds);
const PROCS = Number(values.procs);
const TX = Number(values.tx);
const WARMUP = 200;
const FRAME_JOBS = 1000;
const WAL_HEADER = 32;
const FRAME_HEADER = 24;
const dir = mkdtempSync(join(tmpdir(), "coffer-bench-"));
process.on("exit", () => rmSync(dir, { recursive: true, force: true }));

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? (s[mid] as number) : ((s[mid - 1] as number) + (s[mid] as number)) / 2;
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))] ?? 0;
}

function machine(): string {
  const cpu = /model name\s*:\s*(.+)/.exec(readFileSync("/proc/cpuinfo", "utf8"))?.[1] ?? "?";
  const db = new Database(":memory:");
  const { v } = db.query("SELECT sqlite_version() AS v").get() as { v: string };
  db.close();
  return `${availableParallelism()} × ${cpu.trim()}, Bun ${Bun.version}, SQLite ${v}`;
}

let files = 0;
function measureCycle(contender: Contender): number {
  const run = contender.open(join(dir, `cycle-${files++}.db`));
  for (let i = 0; i < WARMUP; i++) run.cycle(i);
  const t = performance.now();
  for (let i = 0; i < JOBS; i++) run.cycle(i);
  const seconds = (performance.now() - t) / 1000;
  run.close();
  return JOBS / seconds;
}

/** WAL frames (pages written) per cycle, checkpoints off: the I/O each design costs, free of noise. */
function framesPerCycle(contender: Contender): number {
  const path = join(dir, `frames-${files++}.db`);
  const run = contender.open(path);
  run.db.run("PRAGMA wal_autocheckpoint = 0");
  for (let i = 0; i < WARMUP; i++) run.cycle(i);
  const frames = () => {
    const { page_size } = run.db.query("PRAGMA page_size").get() as { page_size: number };
    return (statSync(`${path}-wal`).size - WAL_HEADER) / (page_size + FRAME_HEADER);
  };
  const before = frames();
  for (let i = 0; i < FRAME_JOBS; i++) run.cycle(i);
  const perCycle = (frames() - before) / FRAME_JOBS;
  run.close();
  return perCycle;
}

function cycleTable(): void {
  const contenders = [naive, plainjob, bare, coffer, plainjobBatched, cofferBatched];
  const rounds: Map<Contender, number>[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    const rates = new Map<Contender, number>();
    // Rotate the order so that no contender always runs on a warmer or cooler machine.
    for (let k = 0; k < contenders.length; k++) {
      const c = contenders[(round + k) % contenders.length] as Contender;
      rates.set(c, measureCycle(c));
    }
    rounds.push(rates);
  }
  const of = (c: Contender) => rounds.map((r) => r.get(c) ?? 0);
  // Ratios are taken within each round, then the median: the load of the moment cancels out.
  const ratio = (c: Contender, to: Contender) =>
    median(rounds.map((r) => (r.get(c) ?? 0) / (r.get(to) ?? 1)));
  console.log(`\nFull cycle enqueue → claim → ack, synchronous=NORMAL`);
  console.log(`${JOBS} jobs × ${ROUNDS} rounds: medians; ratios are medians of per-round ratios\n`);
  console.log(
    `${"".padEnd(40)}${"jobs/s".padStart(8)}${"range".padStart(13)}${"× plainjob".padStart(12)}${"× naive".padStart(9)}${"frames/job".padStart(12)}`,
  );
  for (const c of contenders) {
    const all = of(c);
    const range = `${Math.min(...all).toFixed(0)}–${Math.max(...all).toFixed(0)}`;
    console.log(
      `${c.name.padEnd(40)}${median(all).toFixed(0).padStart(8)}${range.padStart(13)}${ratio(c, plainjob).toFixed(2).padStart(12)}${ratio(c, naive).toFixed(2).padStart(9)}${framesPerCycle(c).toFixed(1).padStart(12)}`,
    );
  }
}

interface ChildReport {
  start: number;
  end: number;
  latencies: number[];
  errors: number;
  firstError: string | null;
}

async function contention(mode: "coffer" | "naive", procs: number, tx: number) {
  const db = join(dir, `contention-${mode}-${procs}.db`);
  openStore({ path: db }).close(); // created and migrated before the race starts
  const child = join(import.meta.dir, "bench", "contention-child.ts");
  const reports = await Promise.all(
    Array.from({ length: procs }, async () => {
      const p = Bun.spawn([process.execPath, child, db, String(tx), mode], { stdout: "pipe" });
      const out = await new Response(p.stdout).text();
      await p.exited;
      return JSON.parse(out) as ChildReport;
    }),
  );
  const lat = reports.flatMap((r) => r.latencies).sort((a, b) => a - b);
  const wall = Math.max(...reports.map((r) => r.end)) - Math.min(...reports.map((r) => r.start));
  return {
    txPerSec: lat.length / (wall / 1000),
    errors: reports.reduce((n, r) => n + r.errors, 0),
    firstError: reports.find((r) => r.firstError)?.firstError ?? null,
    p50: percentile(lat, 0.5),
    p99: percentile(lat, 0.99),
    max: lat.at(-1) ?? 0,
  };
}

async function contentionTable(): Promise<void> {
  const rows: [string, Awaited<ReturnType<typeof contention>>][] = [
    ["coffer, 1 process (baseline)", await contention("coffer", 1, TX * PROCS)],
    [`coffer, ${PROCS} processes`, await contention("coffer", PROCS, TX)],
    [`naive deferred BEGIN, ${PROCS} processes`, await contention("naive", PROCS, TX)],
  ];
  console.log(`\nWrite contention: ${PROCS} × ${TX} write transactions on one store`);
  console.log(`(coffer: enqueue / claim / ack mix; naive: BEGIN, read, insert, COMMIT)\n`);
  console.log(
    `${"".padEnd(38)}${"tx/s".padStart(8)}${"errors".padStart(8)}${"p50 ms".padStart(9)}${"p99 ms".padStart(9)}${"max ms".padStart(9)}`,
  );
  for (const [name, r] of rows) {
    console.log(
      `${name.padEnd(38)}${r.txPerSec.toFixed(0).padStart(8)}${String(r.errors).padStart(8)}${r.p50.toFixed(2).padStart(9)}${r.p99.toFixed(2).padStart(9)}${r.max.toFixed(1).padStart(9)}`,
    );
  }
  const naiveError = rows[2]?.[1].firstError;
  if (naiveError) console.log(`\nnaive's first error: ${naiveError}`);
}

console.log(`coffer queue benchmark — ${machine()}`);
cycleTable();
await contentionTable();
