// The three contenders of the queue benchmark, each doing one full cycle per
// job: enqueue, claim, ack, one transaction each, synchronous=NORMAL in WAL.

import { Database } from "bun:sqlite";
import { defineQueue, bun as plainjobConnection } from "plainjob";
import init from "../../migrations/0001_init.sql" with { type: "text" };
import { openStore } from "../../src/index.ts";

export interface Contender {
  name: string;
  /** Opens a fresh store at `path`; returns one job's full cycle, its connection and a close. */
  open(path: string): { cycle(i: number): void; db: Database; close(): void };
}

const QUEUE = "bench";
const LEASE_MS = 300_000;

export const coffer: Contender = {
  name: "coffer (openStore, full semantics)",
  open(path) {
    const store = openStore({ path, synchronous: "NORMAL" });
    const { queue } = store;
    return {
      cycle(i) {
        queue.enqueue(QUEUE, { task: "send", i });
        const job = queue.dequeue(QUEUE, { lease: LEASE_MS });
        if (!job?.leaseToken) throw new Error("coffer: nothing claimed");
        queue.ack(job.id, { token: job.leaseToken });
      },
      db: store.db,
      close: () => store.close(),
    };
  },
};

/** The same three statements on coffer's schema, no transaction wrapper, no checks. */
export const naive: Contender = {
  name: "naive bun:sqlite (3 statements)",
  open(path) {
    const db = new Database(path, { create: true, strict: true });
    db.run("PRAGMA journal_mode = WAL");
    db.run("PRAGMA synchronous = NORMAL");
    db.run(init);
    const insert = db.query(
      `INSERT INTO jobs (queue, payload, run_at, created_at, updated_at)
       VALUES (?1, ?2, ?3, ?3, ?3) RETURNING id`,
    );
    const claim = db.query(
      `UPDATE jobs SET status = 'processing', attempts = attempts + 1, locked_until = ?1,
         lease_token = ?2, updated_at = ?3
       WHERE id = (SELECT id FROM jobs WHERE queue = ?4 AND status = 'pending' AND run_at <= ?3
                   ORDER BY priority DESC, id LIMIT 1)
       RETURNING id`,
    );
    const ack = db.query(
      `UPDATE jobs SET status = 'completed', locked_until = NULL, lease_token = NULL,
         updated_at = ?1 WHERE id = ?2`,
    );
    return {
      cycle(i) {
        const now = Date.now();
        insert.run(QUEUE, JSON.stringify({ task: "send", i }), now);
        const job = claim.get(now + LEASE_MS, crypto.randomUUID(), now, QUEUE) as { id: number };
        ack.run(now, job.id);
      },
      db,
      close: () => db.close(false),
    };
  },
};

const silent = { error() {}, warn() {}, info() {}, debug() {} };

/**
 * plainjob as its worker drives it: add, then getAndMarkJobAsProcessing (an
 * IMMEDIATE transaction), getJobById for the data, markJobAsDone. Its worker
 * also polls scheduled jobs in an extra transaction per job; that is left out,
 * which only flatters plainjob.
 */
type PlainjobQueue = ReturnType<typeof defineQueue>;

/** The claim and done half of plainjob's cycle, as its worker does them. */
function claimAndFinish(queue: PlainjobQueue): void {
  const claimed = queue.getAndMarkJobAsProcessing(QUEUE);
  if (!claimed) throw new Error("plainjob: nothing claimed");
  const job = queue.getJobById(claimed.id);
  if (!job) throw new Error("plainjob: claimed job vanished");
  queue.markJobAsDone(job.id);
}

export const plainjob: Contender = {
  name: "plainjob 0.0.14 (add/claim/done)",
  open(path) {
    const db = new Database(path, { create: true, strict: true });
    const queue = defineQueue({ connection: plainjobConnection(db), logger: silent });
    return {
      cycle(i) {
        queue.add(QUEUE, { task: "send", i });
        claimAndFinish(queue);
      },
      db,
      close: () => queue.close(),
    };
  },
};

const BATCH = 100;

/**
 * coffer's batch calls, as a producer and a worker running jobs side by side
 * use them: enqueueMany, dequeueMany and ackMany of BATCH jobs, one
 * transaction each. Every job is still leased with its own token and acked:
 * only the commits are shared.
 */
export const cofferBatched: Contender = {
  name: `coffer, enqueue/claim/ackMany(${BATCH})`,
  open(path) {
    const store = openStore({ path, synchronous: "NORMAL" });
    const { queue } = store;
    return {
      cycle(i) {
        if (i % BATCH !== 0) return; // one call below does the next BATCH jobs' cycles
        queue.enqueueMany(
          QUEUE,
          Array.from({ length: BATCH }, (_, k) => ({ task: "send", i: i + k })),
        );
        const jobs = queue.dequeueMany(QUEUE, BATCH, { lease: LEASE_MS });
        if (jobs.length !== BATCH) throw new Error("coffer: short claim");
        queue.ackMany(jobs.map((j) => ({ id: j.id, token: j.leaseToken })));
      },
      db: store.db,
      close: () => store.close(),
    };
  },
};

/** plainjob with its own batch call (addMany); it has none for claim and done. */
export const plainjobBatched: Contender = {
  name: `plainjob, addMany(${BATCH})/claim/done`,
  open(path) {
    const db = new Database(path, { create: true, strict: true });
    const queue = defineQueue({ connection: plainjobConnection(db), logger: silent });
    return {
      cycle(i) {
        if (i % BATCH === 0) {
          queue.addMany(
            QUEUE,
            Array.from({ length: BATCH }, (_, k) => ({ task: "send", i: i + k })),
          );
        }
        claimAndFinish(queue);
      },
      db,
      close: () => queue.close(),
    };
  },
};
