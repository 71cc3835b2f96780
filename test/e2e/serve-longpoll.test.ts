// The long-poll claim on both engines: a claim waiting in `coffer serve` is
// answered as soon as another process runs `coffer queue push`, and with 204
// when nothing comes in time.

import { describe, expect, test } from "bun:test";
import { coffer } from "../helpers/binary.ts";
import { freshDatabase, pgServer } from "../helpers/pg-server.ts";
import { call, makeKey, serve } from "../helpers/serve.ts";

const pg = await pgServer();

async function wokenByPush(db?: string): Promise<void> {
  const s = await serve(db ? { db } : {});
  try {
    const key = makeKey(s.db, "worker", "queue:*");
    const began = performance.now();
    const waiting = call(s.socket, "POST", "/v1/queues/mail/claim", {
      key,
      body: { wait: 20, lease: 60_000 },
    });
    await Bun.sleep(300);
    const pushed = coffer(["--db", s.db, "queue", "push", "mail", '{"to":"ada"}']);
    expect(pushed.code).toBe(0);
    const answer = await waiting;
    const tookMs = performance.now() - began;
    expect(answer.status).toBe(200);
    expect(answer.body).toMatchObject({ id: Number(pushed.stdout.trim()), payload: { to: "ada" } });
    expect(typeof (answer.body as { leaseToken: unknown }).leaseToken).toBe("string");
    // Woken by the push, far before the 20 s the claim was willing to wait.
    expect(tookMs).toBeLessThan(10_000);
    const empty = await call(s.socket, "POST", "/v1/queues/mail/claim", {
      key,
      body: { wait: 0.3 },
    });
    expect(empty.status).toBe(204);
    expect(empty.body).toBeNull();
  } finally {
    expect(await s.stop()).toBe(0);
  }
}

describe("the long-poll claim", () => {
  test("on SQLite is woken by a coffer queue push from another process", async () => {
    await wokenByPush();
  });

  test.skipIf(!pg)(
    "on PostgreSQL is woken by a coffer queue push from another process",
    async () => {
      if (!pg) return;
      const db = await freshDatabase(pg, "serve_poll");
      await wokenByPush(db.url);
    },
  );
});
