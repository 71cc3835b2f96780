// The contention half of the PostgreSQL benchmark: N worker processes
// (pg-contention-child.ts) drain jobs enqueued once they are all connected;
// their reports and the table are then checked: every job completed, once.

import { join } from "node:path";
import { connect } from "../../src/client.ts";
import { connectPostgres } from "../../src/engines/postgres/connect.ts";
import { startBoss } from "./pg-cycle.ts";

export type Mode = "coffer" | "bare" | "pg-boss";

export interface DrainResult {
  jobsPerSec: number;
  completed: number;
  exactlyOnce: boolean;
  problem: string;
}

interface ChildReport {
  start: number;
  end: number;
  done: (string | number)[];
}

const QUEUE = "contention";
const CHUNK = 500;

/** Spawns `procs` workers on `url`, enqueues `jobs` once all are ready, and times the drain. */
export async function drain(
  url: string,
  mode: Mode,
  procs: number,
  jobs: number,
): Promise<DrainResult> {
  const producer = await openProducer(url, mode);
  const child = join(import.meta.dir, "pg-contention-child.ts");
  const workers = Array.from({ length: procs }, () =>
    Bun.spawn([process.execPath, child, url, QUEUE, mode], { stdin: "pipe", stdout: "pipe" }),
  );
  const outputs = workers.map((w) => lines(w.stdout));
  for (const out of outputs) if ((await out.next()).value !== "ready") throw new Error("no ready");
  const enqueued = await producer.enqueue(jobs);
  for (const w of workers) {
    w.stdin.write("go\n");
    await w.stdin.flush();
  }
  const reports: ChildReport[] = [];
  for (const [k, out] of outputs.entries()) {
    const line = (await out.next()).value;
    if ((await workers[k]?.exited) !== 0 || !line) throw new Error(`worker ${k} failed`);
    reports.push(JSON.parse(line) as ChildReport);
  }
  const completed = await producer.completed();
  await producer.close();
  const done = reports.flatMap((r) => r.done.map(String));
  const unique = new Set(done);
  const missing = enqueued.filter((id) => !unique.has(id)).length;
  const problem =
    done.length !== unique.size
      ? `${done.length - unique.size} acked twice`
      : missing > 0 || completed !== jobs
        ? `${missing} never acked, ${completed} completed`
        : "";
  const wall = Math.max(...reports.map((r) => r.end)) - Math.min(...reports.map((r) => r.start));
  return { jobsPerSec: done.length / (wall / 1000), completed, exactlyOnce: !problem, problem };
}

async function* lines(stream: ReadableStream<Uint8Array>): AsyncGenerator<string> {
  let buffered = "";
  const decoder = new TextDecoder();
  for await (const chunk of stream) {
    buffered += decoder.decode(chunk, { stream: true });
    let nl = buffered.indexOf("\n");
    while (nl >= 0) {
      yield buffered.slice(0, nl);
      buffered = buffered.slice(nl + 1);
      nl = buffered.indexOf("\n");
    }
  }
  if (buffered) yield buffered;
}

interface Producer {
  /** Enqueues `n` jobs; returns their ids as strings. */
  enqueue(n: number): Promise<string[]>;
  /** How many jobs of the queue the table holds as completed. */
  completed(): Promise<number>;
  close(): Promise<unknown>;
}

async function openProducer(url: string, mode: Mode): Promise<Producer> {
  if (mode === "pg-boss") {
    const boss = await startBoss(url);
    await boss.createQueue(QUEUE);
    const admin = await connectPostgres(url, { max: 1 });
    return {
      async enqueue(n) {
        const ids: string[] = [];
        for (let i = 0; i < n; i += CHUNK) {
          const batch = Array.from({ length: Math.min(CHUNK, n - i) }, (_, k) => ({
            id: crypto.randomUUID(),
            data: { i: i + k },
          }));
          await boss.insert(QUEUE, batch);
          ids.push(...batch.map((j) => j.id));
        }
        return ids;
      },
      async completed() {
        const [row] = await admin.sql`SELECT count(*)::int AS n FROM pgboss.job
          WHERE name = ${QUEUE} AND state = 'completed'`;
        return row.n;
      },
      close: () => Promise.all([boss.stop({ graceful: false }), admin.close()]),
    };
  }
  const client = await connect(url);
  return {
    async enqueue(n) {
      const ids: number[] = [];
      for (let i = 0; i < n; i += CHUNK) {
        const payloads = Array.from({ length: Math.min(CHUNK, n - i) }, (_, k) => ({ i: i + k }));
        ids.push(...(await client.queue.enqueueMany(QUEUE, payloads)));
      }
      return ids.map(String);
    },
    async completed() {
      const [stats] = await client.queue.stats(QUEUE);
      return stats?.completed ?? 0;
    },
    close: () => client.close(),
  };
}
