// plainjob's worker loop, step for step as its own worker drives each job:
// getAndMarkJobAsProcessing (its IMMEDIATE transaction), getJobById,
// markJobAsDone (a second, autocommit write). The baseline of bench-work.ts
// and bench/drain-steps.ts.

import { Database } from "bun:sqlite";
import { defineQueue, bun as plainjobConnection } from "plainjob";

const silent = { error() {}, warn() {}, info() {}, debug() {} };

/** Enqueues `payloads` in a new plainjob store at `path`, drains them; returns the `clock` time the drain took. */
export function drainPlainjob(
  path: string,
  queueName: string,
  payloads: unknown[],
  clock: () => number,
): number {
  const db = new Database(path, { create: true, strict: true });
  const queue = defineQueue({ connection: plainjobConnection(db), logger: silent });
  queue.addMany(queueName, payloads);
  const t = clock();
  for (let n = 0; ; n++) {
    const claimed = queue.getAndMarkJobAsProcessing(queueName);
    if (!claimed) {
      if (n !== payloads.length) throw new Error(`plainjob drained ${n}`);
      break;
    }
    const job = queue.getJobById(claimed.id);
    if (!job) throw new Error("plainjob: claimed job vanished");
    queue.markJobAsDone(job.id);
  }
  const spent = clock() - t;
  queue.close();
  return spent;
}
