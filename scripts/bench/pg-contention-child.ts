// One worker process of the PostgreSQL contention benchmark: connects, says
// "ready", waits for "go" on stdin, then claims and acks one job at a time
// until the queue is empty. Prints a JSON report with the ids it completed.
// Usage: bun pg-contention-child.ts URL QUEUE coffer|pg-boss|bare

import { connect } from "../../src/client.ts";
import { connectPostgres } from "../../src/engines/postgres/connect.ts";
import { jobChannel } from "../../src/state/queue/postgres-rows.ts";
import { ACK_HELD, CLAIM_DUE, RECLAIM_AND_SCHEDULES } from "../../src/state/queue/postgres-sql.ts";
import { startBoss } from "./pg-cycle.ts";

const [url, queue, mode] = process.argv.slice(2);
if (!url || !queue || !["coffer", "pg-boss", "bare"].includes(mode ?? "")) {
  throw new Error("usage: pg-contention-child.ts URL QUEUE coffer|pg-boss|bare");
}
const LEASE_MS = 300_000;
const done: (string | number)[] = [];

/** One claim and its ack; false once nothing is left to claim. */
type Step = () => Promise<boolean>;

async function worker(): Promise<{ step: Step; close(): Promise<unknown> }> {
  if (mode === "coffer") {
    const client = await connect(url as string);
    const step: Step = async () => {
      const job = await client.queue.dequeue(queue as string, { lease: LEASE_MS });
      if (!job) return false;
      await client.queue.ack(job.id, { token: job.leaseToken ?? undefined });
      done.push(job.id);
      return true;
    };
    return { step, close: () => client.close() };
  }
  if (mode === "bare") {
    const conn = await connectPostgres(url as string);
    const channel = jobChannel(conn.target);
    const step: Step = async () => {
      await conn.sql.unsafe(RECLAIM_AND_SCHEDULES, [queue]);
      const [job] = await conn.sql.unsafe(CLAIM_DUE, [queue, 1, LEASE_MS]);
      if (!job) return false;
      const acked = await conn.sql.unsafe(ACK_HELD, [job.id, job.lease_token, channel]);
      if (acked.length !== 1) throw new Error(`bare: job ${job.id} not acked`);
      done.push(Number(job.id));
      return true;
    };
    return { step, close: () => conn.close() };
  }
  const boss = await startBoss(url as string);
  const step: Step = async () => {
    const [job] = await boss.fetch(queue as string);
    if (!job) return false;
    await boss.complete(queue as string, job.id);
    done.push(job.id);
    return true;
  };
  return { step, close: () => boss.stop({ graceful: false }) };
}

const w = await worker();
// A warm-up claim on the still empty queue (the parent enqueues once every worker is ready).
if (await w.step()) throw new Error("the queue must be empty before go");
process.stdout.write("ready\n");
for await (const line of console) if (line.trim() === "go") break;
const start = performance.timeOrigin + performance.now();
while (await w.step()) {}
const end = performance.timeOrigin + performance.now();
await w.close();
process.stdout.write(`${JSON.stringify({ start, end, done })}\n`);
