// The job queue on PostgreSQL: the shared semantics over the server's clock,
// NOTIFY on enqueue, and 4 processes claiming 500 jobs, each done exactly once.

import { describe, expect, test } from "bun:test";
import { openPostgres, type PgConnection } from "../../src/engines/postgres/index.ts";
import { listenForJobs } from "../../src/engines/postgres/listen.ts";
import { PgQueue } from "../../src/state/queue/postgres.ts";
import { freshDatabase, pgServer } from "../helpers/pg-server.ts";
import { finish, startFixture } from "../helpers/procs.ts";

const pg = await pgServer();
const db = pg ? await freshDatabase(pg) : null;

async function open(): Promise<{ conn: PgConnection; q: PgQueue }> {
  if (!db) throw new Error("no PostgreSQL");
  const conn = await openPostgres(db.url);
  return { conn, q: new PgQueue(conn, { backoff: () => 60_000 }) };
}

async function serverNow(conn: PgConnection): Promise<number> {
  const [row] = await conn.sql`SELECT now_ms()::float8 AS now`;
  return row.now;
}

async function rejects(p: Promise<unknown>): Promise<{ code: number; message: string }> {
  return p.then(
    () => ({ code: 0, message: "resolved" }),
    (e) => e,
  );
}

describe.skipIf(!pg)("PgQueue", () => {
  test("enqueue, claim with a token, ack; the row reads as the shared Job", async () => {
    const { conn, q } = await open();
    const id = await q.enqueue("basic", { n: 1, nested: { b: 2, a: 1 } }, { priority: 5 });
    const job = await q.dequeue("basic", { lease: 30_000 });
    expect(job).toMatchObject({ id, status: "processing", attempts: 1, priority: 5 });
    expect(job?.payload).toEqual({ n: 1, nested: { b: 2, a: 1 } });
    expect(job?.leaseToken).toMatch(/^[0-9a-f]{32}$/);
    const now = await serverNow(conn);
    expect(Math.abs((job?.lockedUntil ?? 0) - (now + 30_000))).toBeLessThan(5_000);
    expect(await q.dequeue("basic")).toBeNull();
    expect((await rejects(q.ack(id, { token: "0".repeat(32) }))).code).toBe(6);
    await q.ack(id, { token: job?.leaseToken ?? undefined });
    expect((await q.get(id))?.status).toBe("completed");
    expect((await rejects(q.ack(id))).message).toContain("is not held: it is completed");
    expect((await rejects(q.ack(999_999))).code).toBe(3);
    await conn.close();
  });

  test("dedupe returns the live job's id; priority then id order", async () => {
    const { conn, q } = await open();
    const a = await q.enqueue("dd", 1, { dedupeKey: "k" });
    expect(await q.enqueue("dd", 2, { dedupeKey: "k" })).toBe(a);
    const low = await q.enqueue("dd", 3);
    const high = await q.enqueue("dd", 4, { priority: 9 });
    const claimed = await q.dequeueMany("dd", 10);
    expect(claimed.map((j) => j.id)).toEqual([high, a, low]);
    await q.ackMany(claimed.map((j) => ({ id: j.id, token: j.leaseToken })));
    expect(await q.enqueue("dd", 5, { dedupeKey: "k" })).not.toBe(a);
    await conn.close();
  });

  test("fail backs off on the server clock, then dead after max attempts; retry revives", async () => {
    const { conn, q } = await open();
    const id = await q.enqueue("f", "x", { maxAttempts: 2 });
    const first = await q.dequeue("f");
    const failed = await q.fail(id, "boom", { token: first?.leaseToken ?? undefined });
    expect(failed).toMatchObject({ status: "pending", lastError: "boom", leaseToken: null });
    expect(failed.runAt - (await serverNow(conn))).toBeGreaterThan(50_000);
    expect(await q.dequeue("f")).toBeNull();
    await conn.sql`UPDATE jobs SET run_at = 0 WHERE id = ${id}`;
    await q.dequeue("f");
    expect((await q.fail(id, "again", { retryDelay: 0 })).status).toBe("failed");
    expect((await rejects(q.fail(id, "x"))).code).toBe(6);
    expect(await q.stats("f")).toEqual([
      { queue: "f", pending: 0, processing: 0, completed: 0, failed: 1 },
    ]);
    expect((await q.retry(id)).status).toBe("pending");
    expect((await rejects(q.retry(id))).code).toBe(6);
    expect((await q.list("f", { status: "pending" })).map((j) => j.id)).toEqual([id]);
    await conn.close();
  });

  test("an expired lease is reclaimed; extend needs the current claim", async () => {
    const { conn, q } = await open();
    const id = await q.enqueue("lease", null, { maxAttempts: 5 });
    const a = await q.dequeue("lease", { lease: 60_000 });
    expect((await q.extend(id, 120_000, { token: a?.leaseToken ?? undefined })).id).toBe(id);
    await conn.sql`UPDATE jobs SET locked_until = now_ms() - 1 WHERE id = ${id}`;
    expect((await rejects(q.extend(id, 1000))).message).toContain("lease expired");
    const b = await q.dequeue("lease");
    expect(b).toMatchObject({ id, attempts: 2 });
    expect(b?.leaseToken).not.toBe(a?.leaseToken);
    expect((await rejects(q.ack(id, { token: a?.leaseToken ?? undefined }))).message).toContain(
      "held by another claim",
    );
    await q.ack(id, { token: b?.leaseToken ?? undefined });
    await conn.sql`UPDATE jobs SET updated_at = 0 WHERE id = ${id}`;
    expect(await q.purge({ olderThan: 1000, queue: "lease" })).toBe(1);
    await conn.close();
  });

  test("enqueueMany is one transaction: a bad payload adds nothing", async () => {
    const { conn, q } = await open();
    const ids = await q.enqueueMany("many", [1, 2, 3]);
    expect(ids).toHaveLength(3);
    const bad = await rejects(q.enqueueMany("many2", [1, () => 0]));
    expect(bad.code).toBe(2);
    expect(await q.list("many2")).toEqual([]);
    await conn.close();
  });

  test("the shared rules: a control character in a queue name is refused; errors are redacted", async () => {
    if (!db) throw new Error("no PostgreSQL");
    const conn = await openPostgres(db.url);
    const q = new PgQueue(conn, { redact: (t) => t.replaceAll("hunter2", "***") });
    for (const name of ["a\nb", "a\u001bb", "a\u202eb"]) {
      const err = await rejects(q.enqueue(name, 1));
      expect(err.code).toBe(2);
      expect(err.message).toContain("queue name must not contain control characters");
    }
    expect((await rejects(q.enqueue("ok", 1, { maxAttempts: 0 }))).code).toBe(2);
    expect((await rejects(q.dequeue("ok", { lease: 0 }))).code).toBe(2);
    const id = await q.enqueue("redact", 1);
    const job = await q.dequeue("redact");
    const failed = await q.fail(id, "token hunter2 leaked", {
      token: job?.leaseToken ?? undefined,
    });
    expect(failed.lastError).toBe("token *** leaked");
    const [bad] = await conn.sql`SELECT count(*)::int AS n FROM jobs WHERE queue LIKE 'a%b'`;
    expect(bad.n).toBe(0);
    await conn.close();
  });

  test("enqueue wakes a listener on the same schema and queue", async () => {
    const { conn, q } = await open();
    const listener = await listenForJobs(conn, "wake");
    expect(await listener.wait(50)).toBe(false);
    const woken = listener.wait(5_000);
    await q.enqueue("other-queue", 1);
    await q.enqueue("wake", 1);
    expect(await woken).toBe(true);
    await listener.close();
    await conn.close();
  });

  test("4 processes claim 500 jobs: each completed exactly once", async () => {
    const { conn, q } = await open();
    const ids = await q.enqueueMany(
      "race",
      Array.from({ length: 500 }, (_, i) => i),
    );
    const startAt = String(Date.now() + 1500);
    const procs = Array.from({ length: 4 }, () =>
      startFixture("pg-queue-worker", [db?.url ?? "", "race", startAt]),
    );
    const results = await Promise.all(procs.map(finish));
    const done: number[] = [];
    for (const r of results) {
      expect(r.stderr).toBe("");
      expect(r.code).toBe(0);
      done.push(...(JSON.parse(r.stdout) as number[]));
    }
    expect(done.length).toBe(500);
    expect(new Set(done).size).toBe(500);
    expect(done.toSorted((a, b) => a - b)).toEqual(ids);
    const busy = results.filter((r) => (JSON.parse(r.stdout) as number[]).length > 0).length;
    expect(busy).toBeGreaterThan(1);
    const [row] = await conn.sql`SELECT count(*)::int AS n, max(attempts) AS a FROM jobs
      WHERE queue = 'race' AND status = 'completed'`;
    expect(row).toEqual({ n: 500, a: 1 });
    await conn.close();
  });
});
