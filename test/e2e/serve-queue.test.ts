// The queue's workers' features through coffer serve, one script on both
// engines: a group runs one job at a time in push order, a job pushed `after`
// another waits for it to complete, retry and purge, and a queue's schedules.

import { describe, expect, test } from "bun:test";
import { freshDatabase, pgServer } from "../helpers/pg-server.ts";
import { call, makeKey, serve } from "../helpers/serve.ts";

const pg = await pgServer();

interface Held {
  id: number;
  leaseToken: string;
  payload: { n: number };
}

async function script(db?: string): Promise<void> {
  const s = await serve(db ? { db } : {});
  try {
    const key = makeKey(s.db, "worker", "queue:*");
    const mailOnly = makeKey(s.db, "mail", "queue:mail");
    const c = (method: string, path: string, body?: unknown, k = key) =>
      call(s.socket, method, path, { key: k, ...(body === undefined ? {} : { body }) });
    const push = async (queue: string, body: Record<string, unknown>) => {
      const r = await c("POST", `/v1/queues/${queue}/jobs`, body);
      expect(r.status).toBe(201);
      return (r.body as { id: number }).id;
    };
    const claim = async (queue: string) => {
      const r = await c("POST", `/v1/queues/${queue}/claim`, { lease: 60_000 });
      return r.status === 204 ? null : (r.body as Held);
    };
    const ack = async (job: Held) =>
      expect((await c("POST", `/v1/jobs/${job.id}/ack`, { token: job.leaseToken })).status).toBe(
        200,
      );

    // A group: the second job waits for the first to be settled, then comes in push order.
    const g1 = await push("grp", { payload: { n: 1 }, group: "ada" });
    const g2 = await push("grp", { payload: { n: 2 }, group: "ada", priority: 10 });
    const first = await claim("grp");
    expect(first?.id).toBe(g1);
    expect(await claim("grp")).toBeNull();
    await ack(first as Held);
    const second = await claim("grp");
    expect(second?.id).toBe(g2);
    await ack(second as Held);

    // A dependency: the child is not due until its parent completed.
    const parent = await push("dep", { payload: { n: 1 } });
    const child = await push("dep", { payload: { n: 2 }, after: [parent], priority: 10 });
    const p = await claim("dep");
    expect(p?.id).toBe(parent);
    expect(await claim("dep")).toBeNull();
    await ack(p as Held);
    expect((await claim("dep"))?.id).toBe(child);
    expect((await c("POST", "/v1/queues/dep/jobs", { payload: 1, after: [0] })).status).toBe(400);
    expect((await c("POST", "/v1/queues/dep/jobs", { payload: 1, group: "" })).status).toBe(400);

    // Retry a failed job, one and all; purge what is finished.
    const once = await push("ret", { payload: { n: 1 }, maxAttempts: 1 });
    const held = (await claim("ret")) as Held;
    const failed = await c("POST", `/v1/jobs/${once}/fail`, { token: held.leaseToken });
    expect(failed.body).toMatchObject({ id: once, status: "failed" });
    const retried = await c("POST", `/v1/jobs/${once}/retry`);
    expect(retried.status).toBe(200);
    expect(retried.body).toMatchObject({ id: once, status: "pending", attempts: 0 });
    expect((await c("POST", `/v1/jobs/${once}/retry`)).status).toBe(409);
    const again = (await claim("ret")) as Held;
    await c("POST", `/v1/jobs/${once}/fail`, { token: again.leaseToken });
    const all = await c("POST", "/v1/queues/ret/retry");
    expect(all.body).toEqual({ queue: "ret", retried: 1 });
    expect((await c("POST", "/v1/queues/grp/retry", undefined, mailOnly)).status).toBe(403);
    await ack((await claim("ret")) as Held);
    const purged = await c("POST", "/v1/queues/grp/purge", { olderThan: 0 });
    expect(purged.body).toEqual({ queue: "grp", purged: 2 });
    const stats = await c("GET", "/v1/queues/ret/stats");
    expect(stats.body).toMatchObject({ queue: "ret", completed: 1, failed: 0 });

    // Schedules, within the queue the key may use.
    const every = await c("PUT", "/v1/queues/mail/schedules/tick", { every: 60_000 }, mailOnly);
    expect(every.status).toBe(200);
    expect(every.body).toMatchObject({ name: "tick", queue: "mail", everyMs: 60_000, payload: {} });
    const cron = await c("PUT", "/v1/queues/mail/schedules/daily", {
      cron: "0 9 * * mon-fri",
      tz: "Europe/Paris",
      payload: { kind: "digest" },
    });
    expect(cron.body).toMatchObject({ cron: "0 9 * * mon-fri", tz: "Europe/Paris" });
    const listed = await c("GET", "/v1/queues/mail/schedules", undefined, mailOnly);
    expect((listed.body as { name: string }[]).map((x) => x.name)).toEqual(["daily", "tick"]);
    expect((await c("GET", "/v1/queues/other/schedules")).body).toEqual([]);
    // Names are global: another queue's key cannot take it over, nor remove it.
    expect((await c("PUT", "/v1/queues/other/schedules/tick", { every: 5000 })).status).toBe(409);
    expect((await c("DELETE", "/v1/queues/other/schedules/tick")).status).toBe(404);
    expect((await c("PUT", "/v1/queues/other/schedules/x", { every: 5000 }, mailOnly)).status).toBe(
      403,
    );
    const both = await c("PUT", "/v1/queues/mail/schedules/bad", {
      every: 5000,
      cron: "* * * * *",
    });
    expect(both.status).toBe(400);
    expect((await c("PUT", "/v1/queues/mail/schedules/bad", { cron: "nope" })).status).toBe(400);
    expect((await c("DELETE", "/v1/queues/mail/schedules/tick", undefined, mailOnly)).body).toEqual(
      {
        removed: "tick",
      },
    );
    expect((await c("DELETE", "/v1/queues/mail/schedules/tick")).status).toBe(404);
  } finally {
    expect(await s.stop()).toBe(0);
  }
}

describe("the queue's groups, dependencies, retry, purge and schedules through coffer serve", () => {
  test("on SQLite", async () => {
    await script();
  });

  test.skipIf(!pg)("on PostgreSQL", async () => {
    if (!pg) return;
    await script((await freshDatabase(pg, "serve_queue")).url);
  });
});
