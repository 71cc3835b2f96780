// Real deadlocks on the private server: another connection locks two job rows
// in the opposite order to coffer. coffer's own statement, the deadlock
// victim, runs again and succeeds; a user's client.transaction(fn) is not
// re-run: it fails with exit 6 and nothing of it is committed.

import { describe, expect, test } from "bun:test";
import { SQL } from "bun";
import { connect } from "../../src/client.ts";
import { openPostgres } from "../../src/engines/postgres/index.ts";
import { PgQueue } from "../../src/state/queue/postgres.ts";
import { freshDatabase, pgServer } from "../helpers/pg-server.ts";

const pg = await pgServer();
const db = pg ? await freshDatabase(pg, "deadlock") : null;

/** Waits until some backend of this database waits for a row lock. */
async function someoneWaits(watch: SQL): Promise<void> {
  for (let i = 0; i < 400; i++) {
    const [row] = await watch`SELECT count(*)::int AS n FROM pg_stat_activity
      WHERE datname = current_database() AND wait_event_type = 'Lock'`;
    if (row.n > 0) return;
    await Bun.sleep(10);
  }
  throw new Error("nobody waits for a lock");
}

async function deadlocks(watch: SQL): Promise<number> {
  await watch`SELECT pg_stat_clear_snapshot()`;
  const [row] = await watch`SELECT deadlocks::int AS n FROM pg_stat_database
    WHERE datname = current_database()`;
  return row.n;
}

/**
 * On its own connection: locks `second`, lets `start` begin (it locks `first`,
 * then waits for `second`), then asks for `first`. Its long deadlock_timeout
 * leaves coffer's backend, which waits longer, to detect the cycle and abort.
 */
async function opposite(second: number, first: number, start: () => void): Promise<void> {
  const other = new SQL(db?.url ?? "", { max: 1 });
  const watch = new SQL(db?.url ?? "", { max: 1 });
  try {
    await other.begin(async (tx) => {
      await tx`SET LOCAL deadlock_timeout = '10s'`;
      await tx`SELECT id FROM coffer.jobs WHERE id = ${second} FOR UPDATE`;
      start();
      await someoneWaits(watch);
      await tx`SELECT id FROM coffer.jobs WHERE id = ${first} FOR UPDATE`;
      await Bun.sleep(50);
    });
  } finally {
    await other.close();
    await watch.close();
  }
}

describe.skipIf(!pg)("deadlocks on PostgreSQL", () => {
  test("coffer's ackMany, the deadlock victim, runs again and completes both jobs", async () => {
    const conn = await openPostgres(db?.url ?? "");
    const watch = new SQL(db?.url ?? "", { max: 1 });
    const q = new PgQueue(conn);
    const [x, y] = (await q.enqueueMany("dl", [1, 2])) as [number, number];
    const claims = (await q.dequeueMany("dl", 2)).map((j) => ({ id: j.id, token: j.leaseToken }));
    const before = await deadlocks(watch);
    let acked: Promise<void> | undefined;
    await opposite(y, x, () => {
      acked = q.ackMany(claims);
    });
    await acked;
    expect((await q.get(x))?.status).toBe("completed");
    expect((await q.get(y))?.status).toBe("completed");
    // The server counted the deadlock it broke (its statistics may lag a moment).
    let counted = await deadlocks(watch);
    for (let i = 0; i < 50 && counted === before; i++) {
      await Bun.sleep(100);
      counted = await deadlocks(watch);
    }
    expect(counted).toBeGreaterThan(before);
    await watch.close();
    await conn.close();
  });

  test("a user's transaction is not re-run: exit 6, fn ran once, none of it committed", async () => {
    const client = await connect(db?.url ?? "");
    const [x, y] = (await client.queue.enqueueMany("dl-user", [1, 2])) as [number, number];
    const jobs = await client.queue.dequeueMany("dl-user", 2);
    const token = (id: number) => jobs.find((j) => j.id === id)?.leaseToken ?? undefined;
    let runs = 0;
    let result: Promise<{ code: number; message: string }> | undefined;
    await opposite(y, x, () => {
      result = client
        .transaction(async (tx) => {
          runs++;
          await tx.queue.enqueue("dl-mine", "written inside fn");
          await tx.queue.fail(x, "first", { token: token(x) });
          await tx.queue.fail(y, "second", { token: token(y) });
        })
        .then(
          () => ({ code: 0, message: "resolved" }),
          (e) => e,
        );
    });
    const err = await (result as Promise<{ code: number; message: string }>);
    expect(err.code).toBe(6);
    expect(err.message).toContain("40P01");
    expect(runs).toBe(1);
    expect(await client.queue.list("dl-mine")).toEqual([]);
    expect((await client.queue.get(x))?.status).toBe("processing");
    expect((await client.queue.get(x))?.lastError).toBeNull();
    await client.close();
  });
});
