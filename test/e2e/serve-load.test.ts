// coffer serve under load, then killed: 32 clients claim/ack jobs and append
// messages; SIGKILL mid-load; every request that got a 2xx is in the store,
// and a new server starts at once on the same (stale) socket. Both engines.

import { describe, expect, test } from "bun:test";
import { dirname } from "node:path";
import { connect } from "../../src/index.ts";
import { freshDatabase, pgServer } from "../helpers/pg-server.ts";
import { call, makeKey, serve } from "../helpers/serve.ts";

const pg = await pgServer();
const CLIENTS = 32;
const LOAD_MS = 1500;

interface Seen {
  pushed: number[];
  acked: number[];
  messages: { session: string; id: number }[];
}

async function client(socket: string, key: string, n: number, seen: Seen, stop: () => boolean) {
  const session = `load-${n}`;
  const made = await call(socket, "POST", "/v1/sessions", { key, body: { id: session } });
  if (made.status !== 201) throw new Error(`session: ${made.status}`);
  while (!stop()) {
    try {
      if (n % 2 === 0) {
        const m = await call(socket, "POST", `/v1/sessions/${session}/messages`, {
          key,
          body: { role: "user", content: `m${n}` },
        });
        if (m.status === 201) seen.messages.push({ session, id: (m.body as { id: number }).id });
        continue;
      }
      const p = await call(socket, "POST", "/v1/queues/load/jobs", {
        key,
        body: { payload: { n } },
      });
      if (p.status === 201) seen.pushed.push((p.body as { id: number }).id);
      const c = await call(socket, "POST", "/v1/queues/load/claim", {
        key,
        body: { lease: 60_000 },
      });
      if (c.status !== 200) continue;
      const job = c.body as { id: number; leaseToken: string };
      const a = await call(socket, "POST", `/v1/jobs/${job.id}/ack`, {
        key,
        body: { token: job.leaseToken },
      });
      if (a.status === 200) seen.acked.push(job.id);
    } catch {
      return; // the server was killed under this request: its outcome is unknown, so not counted
    }
  }
}

async function loadThenKill(db?: string): Promise<void> {
  const s = await serve(db ? { db } : {});
  const key = makeKey(s.db, "load", "sessions,queue:load");
  const seen: Seen = { pushed: [], acked: [], messages: [] };
  let stopped = false;
  const clients = Array.from({ length: CLIENTS }, (_, n) =>
    client(s.socket, key, n, seen, () => stopped),
  );
  await Bun.sleep(LOAD_MS);
  expect(await s.stop("SIGKILL")).not.toBe(0);
  stopped = true;
  await Promise.all(clients);
  expect(seen.pushed.length).toBeGreaterThan(20);
  expect(seen.acked.length).toBeGreaterThan(10);
  expect(seen.messages.length).toBeGreaterThan(20);

  const store = await connect(s.db);
  try {
    for (const id of seen.pushed)
      expect((await store.queue.get(id))?.queue, `job ${id}`).toBe("load");
    for (const id of seen.acked)
      expect((await store.queue.get(id))?.status, `job ${id}`).toBe("completed");
    const bySession = new Map<string, Set<number>>();
    for (const m of seen.messages) {
      if (!bySession.has(m.session)) {
        const ids = (await store.messages.list(m.session, { limit: 100_000 })).map((x) => x.id);
        bySession.set(m.session, new Set(ids));
      }
      expect(bySession.get(m.session)?.has(m.id), `message ${m.id}`).toBe(true);
    }
  } finally {
    await store.close();
  }
  // The killed server left its socket behind: the next one starts at once anyway.
  const again = await serve({ db: s.db, dir: dirname(s.socket) });
  expect((await call(again.socket, "GET", "/v1/queues/load/stats", { key })).status).toBe(200);
  expect(await again.stop()).toBe(0);
}

describe("coffer serve killed under load", () => {
  test("on SQLite keeps every acknowledged write and restarts at once", async () => {
    await loadThenKill();
  });

  test.skipIf(!pg)(
    "on PostgreSQL keeps every acknowledged write and restarts at once",
    async () => {
      if (!pg) return;
      const db = await freshDatabase(pg, "serve_load");
      await loadThenKill(db.url);
    },
  );
});
