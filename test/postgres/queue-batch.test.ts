// The PostgreSQL queue's batch calls, one statement each: enqueueMany keeps the
// payloads' order and options, ackMany completes all of its claims or none.

import { describe, expect, test } from "bun:test";
import { openPostgres, type PgConnection } from "../../src/engines/postgres/index.ts";
import { listenForJobs } from "../../src/engines/postgres/listen.ts";
import { PgQueue } from "../../src/state/queue/postgres.ts";
import { freshDatabase, pgServer } from "../helpers/pg-server.ts";

const pg = await pgServer();
const db = pg ? await freshDatabase(pg, "batch") : null;

async function open(): Promise<{ conn: PgConnection; q: PgQueue }> {
  if (!db) throw new Error("no PostgreSQL");
  const conn = await openPostgres(db.url);
  return { conn, q: new PgQueue(conn) };
}

async function rejects(p: Promise<unknown>): Promise<{ code: number; message: string }> {
  return p.then(
    () => ({ code: 0, message: "resolved" }),
    (e) => e,
  );
}

describe.skipIf(!pg)("PgQueue batches", () => {
  test("enqueueMany: ids ascending in the payloads' order, options on each, one wake-up", async () => {
    const { conn, q } = await open();
    const listener = await listenForJobs(conn, "many");
    const woken = listener.wait(5_000);
    const payloads = [{ a: 1 }, "two", [3], null, 5.5];
    const ids = await q.enqueueMany("many", payloads, { priority: 7, maxAttempts: 9 });
    expect(await woken).toBe(true);
    expect(ids).toHaveLength(payloads.length);
    expect([...ids].sort((x, y) => x - y)).toEqual(ids);
    for (const [k, id] of ids.entries()) {
      expect(await q.get(id)).toMatchObject({
        payload: payloads[k],
        priority: 7,
        maxAttempts: 9,
        status: "pending",
      });
    }
    expect(await q.enqueueMany("many", [])).toEqual([]);
    const later = await q.enqueueMany("later", [1, 2], { delay: 60_000 });
    expect(later).toHaveLength(2);
    expect(await q.dequeue("later")).toBeNull();
    await listener.close();
    await conn.close();
  });

  test("enqueueMany: payload text survives the JSON array intact, escapes and NUL included", async () => {
    const { conn, q } = await open();
    const payloads = ["a\u0000b", 'quote " back \\ slash', { "\n": "\u2028é😀" }];
    const ids = await q.enqueueMany("text", payloads);
    const one = await q.enqueue("text", payloads[0]);
    for (const [k, id] of ids.entries()) expect((await q.get(id))?.payload).toEqual(payloads[k]);
    expect((await q.get(one))?.payload).toEqual(payloads[0]);
    await conn.close();
  });

  test("ackMany: all held are completed; one not held, or one named twice, completes none", async () => {
    const { conn, q } = await open();
    await q.enqueueMany("acks", [1, 2, 3, 4, 5, 6]);
    const jobs = await q.dequeueMany("acks", 6);
    const claims = jobs.map((j) => ({ id: j.id, token: j.leaseToken }));
    const [a, b, c, d, e, f] = claims as [
      (typeof claims)[0],
      (typeof claims)[0],
      (typeof claims)[0],
      (typeof claims)[0],
      (typeof claims)[0],
      (typeof claims)[0],
    ];
    const status = async (ids: number[]) =>
      Promise.all(ids.map(async (id) => (await q.get(id))?.status));

    const wrong = await rejects(q.ackMany([a, { id: b.id, token: "0".repeat(32) }]));
    expect(wrong.code).toBe(6);
    expect(await status([a.id, b.id])).toEqual(["processing", "processing"]);

    const twice = await rejects(q.ackMany([c, c]));
    expect(twice.code).toBe(6);
    expect(await status([c.id])).toEqual(["processing"]);

    const missing = await rejects(q.ackMany([d, { id: 999_999 }]));
    expect(missing.code).toBe(3);
    expect(await status([d.id])).toEqual(["processing"]);

    await q.ackMany([a, b, c, d, { id: e.id }]);
    expect(await status([a.id, b.id, c.id, d.id, e.id, f.id])).toEqual([
      ...Array(5).fill("completed"),
      "processing",
    ]);
    expect((await rejects(q.ackMany([f, a]))).message).toContain("is not held: it is completed");
    expect(await status([f.id])).toEqual(["processing"]);
    await q.ackMany([]);
    await conn.close();
  });
});
