// One of the processes of the contention benchmark: N write transactions on a
// shared store, each timed, errors counted. Prints a JSON report.
// Usage: bun contention-child.ts DB N coffer|naive

import { Database } from "bun:sqlite";
import { openStore } from "../../src/index.ts";

const [path, countArg, mode] = process.argv.slice(2);
if (!path || !countArg || (mode !== "coffer" && mode !== "naive")) {
  throw new Error("usage: contention-child.ts DB N coffer|naive");
}
const count = Number(countArg);
const QUEUE = "contention";
const latencies: number[] = [];
let errors = 0;
let firstError: string | null = null;

function timed(fn: () => void): void {
  const t = performance.now();
  try {
    fn();
  } catch (err) {
    errors++;
    firstError ??= err instanceof Error ? err.message : String(err);
  }
  latencies.push(performance.now() - t);
}

const start = performance.timeOrigin + performance.now();
if (mode === "coffer") {
  // A worker's mix, one transaction per call: enqueue, claim, ack.
  const store = openStore({ path, synchronous: "NORMAL" });
  const held: { id: number; token: string }[] = [];
  for (let i = 0; i < count; i++) {
    if (i % 3 === 0) timed(() => store.queue.enqueue(QUEUE, { i }));
    else if (i % 3 === 1) {
      timed(() => {
        const job = store.queue.dequeue(QUEUE);
        if (job?.leaseToken) held.push({ id: job.id, token: job.leaseToken });
      });
    } else {
      const job = held.pop();
      if (job) timed(() => store.queue.ack(job.id, { token: job.token }));
    }
  }
  store.close();
} else {
  // What a hand-written loop typically does: a deferred transaction that reads
  // then writes, relying on busy_timeout alone.
  const db = new Database(path, { strict: true });
  db.run("PRAGMA busy_timeout = 5000");
  db.run("PRAGMA synchronous = NORMAL");
  const depth = db.query("SELECT count(*) AS n FROM jobs WHERE queue = ? AND status = 'pending'");
  const insert = db.query(
    `INSERT INTO jobs (queue, payload, priority, run_at, created_at, updated_at)
     VALUES (?1, ?2, ?3, ?4, ?4, ?4)`,
  );
  for (let i = 0; i < count; i++) {
    timed(() => {
      db.run("BEGIN");
      try {
        const { n } = depth.get(QUEUE) as { n: number };
        insert.run(QUEUE, JSON.stringify({ i }), n % 10, Date.now());
        db.run("COMMIT");
      } catch (err) {
        if (db.inTransaction) db.run("ROLLBACK");
        throw err;
      }
    });
  }
  db.close(false);
}
const end = performance.timeOrigin + performance.now();
process.stdout.write(`${JSON.stringify({ start, end, latencies, errors, firstError })}\n`);
