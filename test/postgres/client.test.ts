// The PostgreSQL Client's queue and transactions on a real server: writes
// through tx commit together or not at all, and are unseen until they commit.

import { describe, expect, test } from "bun:test";
import type { AsyncMessages, AsyncSessions } from "../../src/client.ts";
import { pgClient } from "../../src/engines/postgres/client.ts";
import { openPostgres } from "../../src/engines/postgres/index.ts";
import { UsageError } from "../../src/errors.ts";
import { deferred } from "../helpers/client-script.ts";
import { freshDatabase, pgServer } from "../helpers/pg-server.ts";

const pg = await pgServer();
const db = pg ? await freshDatabase(pg) : null;

// Sessions and messages on PostgreSQL are another module's; only the queue is tested here.
const queueOnly = {
  sessions: () => ({}) as AsyncSessions,
  messages: () => ({}) as AsyncMessages,
};

async function open() {
  if (!db) throw new Error("no PostgreSQL");
  return pgClient(await openPostgres(db.url), queueOnly);
}

describe.skipIf(!pg)("the PostgreSQL Client", () => {
  test("commits the writes of a transaction together, and none when fn throws", async () => {
    const client = await open();
    expect(client.engine).toBe("postgres");
    const ids = await client.transaction(async (tx) => [
      await tx.queue.enqueue("c1", { n: 1 }),
      await tx.queue.enqueue("c1", { n: 2 }),
    ]);
    const boom = new Error("boom");
    const failed = client.transaction(async (tx) => {
      await tx.queue.enqueue("c1", { n: 3 });
      throw boom;
    });
    expect(failed).rejects.toBe(boom);
    await failed.catch(() => {});
    expect((await client.queue.list("c1")).map((j) => j.id)).toEqual(ids);
    await client.close();
  });

  test("keeps a transaction's writes unseen outside it until it commits", async () => {
    const client = await open();
    const gate = deferred();
    const inside = deferred();
    const tx = client.transaction(async (t) => {
      await t.queue.enqueue("c2", { n: 1 });
      expect((await t.queue.list("c2")).length).toBe(1);
      inside.resolve();
      await gate.promise;
    });
    await inside.promise;
    expect(await client.queue.list("c2")).toEqual([]);
    gate.resolve();
    await tx;
    expect((await client.queue.list("c2")).length).toBe(1);
    await client.close();
  });

  test("fails every operation after close with a clear error that holds no password", async () => {
    const client = await open();
    await client.close();
    await client.close();
    const after = client.queue.stats();
    expect(after).rejects.toBeInstanceOf(UsageError);
    expect(after).rejects.toThrow("is closed");
    await after.catch((e: Error) => expect(e.message).not.toContain(pg?.password ?? "?"));
    expect(client.transaction(async () => 1)).rejects.toThrow("is closed");
  });
});
