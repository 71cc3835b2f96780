// The contenders of the PostgreSQL queue benchmark. Each opens on its own
// database of one server and runs cycles of `n` jobs: enqueue, claim, ack,
// one at a time (n = 1) or as batches of n (enqueue many, claim n, ack n).

import { PgBoss } from "pg-boss";
import { connect } from "../../src/client.ts";
import { connectPostgres } from "../../src/engines/postgres/connect.ts";
import { jobChannel } from "../../src/state/queue/postgres-rows.ts";
import {
  ACK_ALL_HELD,
  ACK_HELD,
  CLAIM_DUE,
  INSERT_JOB,
  INSERT_JOBS,
  RECLAIM_AND_SCHEDULES,
} from "../../src/state/queue/postgres-sql.ts";

export interface Run {
  /** Enqueues `n` jobs, claims them, acks them; n = 1 is the single-job cycle. */
  cycle(i: number, n: number): Promise<void>;
  /** Empties the job table between measurements, so that no round inherits another's rows. */
  reset(): Promise<void>;
  close(): Promise<void>;
}

export interface PgContender {
  name: string;
  open(url: string): Promise<Run>;
}

const QUEUE = "bench";
const LEASE_MS = 300_000;

function payloads(i: number, n: number): { task: string; i: number }[] {
  return Array.from({ length: n }, (_, k) => ({ task: "send", i: i + k }));
}

/** coffer's library over connect(url): validation, lease tokens, NOTIFY, error mapping. */
export const coffer: PgContender = {
  name: "coffer (connect, full semantics)",
  async open(url) {
    const client = await connect(url);
    const { queue } = client;
    const admin = await connectPostgres(url, { max: 1 });
    return {
      async cycle(i, n) {
        if (n === 1) {
          await queue.enqueue(QUEUE, { task: "send", i });
          const job = await queue.dequeue(QUEUE, { lease: LEASE_MS });
          if (!job?.leaseToken) throw new Error("coffer: nothing claimed");
          await queue.ack(job.id, { token: job.leaseToken });
          return;
        }
        await queue.enqueueMany(QUEUE, payloads(i, n));
        const jobs = await queue.dequeueMany(QUEUE, n, { lease: LEASE_MS });
        if (jobs.length !== n) throw new Error("coffer: short claim");
        await queue.ackMany(jobs.map((j) => ({ id: j.id, token: j.leaseToken })));
      },
      async reset() {
        await admin.sql`TRUNCATE jobs CASCADE`;
      },
      async close() {
        await admin.close();
        await client.close();
      },
    };
  },
};

/**
 * coffer's exact statements (src/state/queue/postgres-sql.ts) on coffer's own
 * connection settings, with no API above them: what the library layer costs.
 */
export const bare: PgContender = {
  name: "coffer's SQL, no API",
  async open(url) {
    await (await connect(url)).close(); // migrated, as coffer's would be
    const conn = await connectPostgres(url);
    const { sql } = conn;
    const channel = jobChannel(conn.target);
    const insert = (i: number) =>
      sql.unsafe(INSERT_JOB, [QUEUE, JSON.stringify({ task: "send", i }), 0, 3, null, 0, channel]);
    const claim = async (n: number) => {
      await sql.unsafe(RECLAIM_AND_SCHEDULES, [QUEUE]);
      return (await sql.unsafe(CLAIM_DUE, [QUEUE, n, LEASE_MS])) as {
        id: string;
        lease_token: string;
      }[];
    };
    return {
      async cycle(i, n) {
        if (n === 1) {
          await insert(i);
          const [job] = await claim(1);
          if (!job) throw new Error("bare: nothing claimed");
          const done = await sql.unsafe(ACK_HELD, [job.id, job.lease_token, channel]);
          if (done.length !== 1) throw new Error("bare: not acked");
          return;
        }
        const texts = JSON.stringify(payloads(i, n).map((p) => JSON.stringify(p)));
        await sql.unsafe(INSERT_JOBS, [QUEUE, texts, 0, 3, 0, channel]);
        const jobs = await claim(n);
        if (jobs.length !== n) throw new Error("bare: short claim");
        const claims = JSON.stringify(jobs.map((j) => ({ id: j.id, token: j.lease_token })));
        const acked = await sql.unsafe(ACK_ALL_HELD, [claims]);
        if (acked.length !== n) throw new Error("bare: not acked");
      },
      async reset() {
        await sql`TRUNCATE jobs CASCADE`;
      },
      close: () => conn.close(),
    };
  },
};

/** pg-boss as its docs drive it: send / fetch / complete, and insert / fetch(batchSize) / complete(ids). */
export const pgBoss: PgContender = {
  name: `pg-boss ${bossVersion()}`,
  async open(url) {
    const boss = await startBoss(url);
    await boss.createQueue(QUEUE);
    return {
      async cycle(i, n) {
        if (n === 1) {
          await boss.send(QUEUE, { task: "send", i });
          const [job] = await boss.fetch(QUEUE);
          if (!job) throw new Error("pg-boss: nothing fetched");
          await boss.complete(QUEUE, job.id);
          return;
        }
        await boss.insert(
          QUEUE,
          payloads(i, n).map((data) => ({ data })),
        );
        const jobs = await boss.fetch(QUEUE, { batchSize: n });
        if (jobs.length !== n) throw new Error("pg-boss: short fetch");
        await boss.complete(
          QUEUE,
          jobs.map((j) => j.id),
        );
      },
      async reset() {
        await boss.deleteAllJobs();
      },
      close: () => boss.stop({ graceful: false }),
    };
  },
};

/** A pg-boss instance with no background maintenance or cron (they would only slow it). */
export async function startBoss(url: string): Promise<PgBoss> {
  const boss = new PgBoss({ connectionString: url, max: 4, supervise: false, schedule: false });
  boss.on("error", (err) => console.error(`pg-boss: ${err.message}`));
  await boss.start();
  return boss;
}

export function bossVersion(): string {
  const file = `${import.meta.dir}/../../node_modules/pg-boss/package.json`;
  return (require(file) as { version: string }).version;
}
