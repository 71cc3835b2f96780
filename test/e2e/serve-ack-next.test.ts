// Ack with `next`: a worker acks its job and claims the next of the same queue
// in one request (one transaction), on both engines; refused without the
// claim's right or with a wrong token, and then nothing is settled or claimed.

import { describe, expect, test } from "bun:test";
import { freshDatabase, pgServer } from "../helpers/pg-server.ts";
import { call, makeKey, serve } from "../helpers/serve.ts";

const pg = await pgServer();

interface Held {
  id: number;
  queue: string;
  status: string;
  leaseToken: string;
  payload: { n: number };
}

async function script(db?: string): Promise<void> {
  const s = await serve(db ? { db } : {});
  try {
    const key = makeKey(s.db, "worker", "queue:work");
    const other = makeKey(s.db, "other", "queue:mail");
    const c = (method: string, path: string, body?: unknown, k = key) =>
      call(s.socket, method, path, { key: k, ...(body === undefined ? {} : { body }) });
    const ids: number[] = [];
    for (const n of [1, 2, 3]) {
      const r = await c("POST", "/v1/queues/work/jobs", { payload: { n } });
      expect(r.status).toBe(201);
      ids.push((r.body as { id: number }).id);
    }
    const first = (await c("POST", "/v1/queues/work/claim", { lease: 60_000 })).body as Held;
    expect(first.id).toBe(ids[0] as number);

    // Without the claim's right on the job's queue: 403, the job still held.
    const denied = await c(
      "POST",
      `/v1/jobs/${first.id}/ack`,
      { token: first.leaseToken, next: {} },
      other,
    );
    expect(denied.status).toBe(403);
    const still = await c("GET", "/v1/queues/work/jobs?status=processing");
    expect((still.body as Held[]).map((j) => j.id)).toEqual([first.id]);

    // A wrong token: refused, nothing acked and nothing claimed.
    const wrong = await c("POST", `/v1/jobs/${first.id}/ack`, { token: "nope", next: {} });
    expect(wrong.status).toBe(409);
    const after = await c("GET", "/v1/queues/work/stats");
    expect(after.body).toMatchObject({ pending: 2, processing: 1, completed: 0 });

    // Ack and claim the next in one request; the new lease token settles it.
    const r1 = await c("POST", `/v1/jobs/${first.id}/ack`, {
      token: first.leaseToken,
      next: { lease: 30_000 },
    });
    expect(r1.status).toBe(200);
    const b1 = r1.body as { id: number; status: string; next: Held | null };
    expect(b1).toMatchObject({ id: first.id, status: "completed" });
    expect(b1.next).toMatchObject({ id: ids[1], queue: "work", status: "processing" });
    expect(b1.next?.payload).toEqual({ n: 2 });
    const second = b1.next as Held;
    expect(typeof second.leaseToken).toBe("string");
    expect(second.leaseToken).not.toBe(first.leaseToken);
    // The claim route's shape: the same keys.
    const ext = await c("POST", `/v1/jobs/${second.id}/extend`, { token: second.leaseToken });
    expect(ext.status).toBe(200);
    expect(Object.keys(second).sort()).toEqual(Object.keys(first).sort());

    const r2 = await c("POST", `/v1/jobs/${second.id}/ack`, {
      token: second.leaseToken,
      next: {},
    });
    const third = (r2.body as { next: Held }).next;
    expect(third.id).toBe(ids[2] as number);
    // None due: next is null, the ack done.
    const r3 = await c("POST", `/v1/jobs/${third.id}/ack`, { token: third.leaseToken, next: {} });
    expect(r3.status).toBe(200);
    expect(r3.body).toEqual({ id: third.id, status: "completed", next: null });
    const done = await c("GET", "/v1/queues/work/stats");
    expect(done.body).toMatchObject({ pending: 0, processing: 0, completed: 3 });

    // A plain ack answers as before; a bad `next` is a 400.
    expect(
      (await c("POST", `/v1/jobs/${third.id}/ack`, { token: "x", next: { lease: 0 } })).status,
    ).toBe(400);
    expect(
      (await c("POST", `/v1/jobs/${third.id}/ack`, { token: "x", next: { wait: 1 } })).status,
    ).toBe(400);
  } finally {
    expect(await s.stop()).toBe(0);
  }
}

describe("ack with next through coffer serve", () => {
  test("on SQLite", async () => {
    await script();
  });

  test.skipIf(!pg)("on PostgreSQL", async () => {
    if (!pg) return;
    await script((await freshDatabase(pg, "serve_ack_next")).url);
  });
});
