// The long poll rides the queue's own waitForJobs: with the fallback poll set
// to 30 s, 32 claims waiting at once are answered by pushes (the change
// signal alone: a WAL watch on SQLite, LISTEN on PostgreSQL), and share one
// watch (SQLite) or one LISTEN connection (PostgreSQL) between them.

import { describe, expect, test } from "bun:test";
import { join } from "node:path";
import { SQL } from "bun";
import { connect } from "../../src/index.ts";
import { startServer } from "../../src/serve/server.ts";
import { openWatchCount } from "../../src/state/queue/wait-sqlite.ts";
import { freshDatabase, pgServer } from "../helpers/pg-server.ts";
import { call, makeKey } from "../helpers/serve.ts";
import { tempDir } from "../helpers/tmp.ts";

const pg = await pgServer();
const POLLS = 32;

async function until(check: () => Promise<boolean> | boolean, what: string): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await Bun.sleep(20);
  }
}

/** Starts 32 long polls, checks they share one signal (`shared`), then pushes 32 jobs. */
async function wokenByPushes(db: string, shared: () => Promise<number>): Promise<void> {
  const dir = tempDir("coffer-serve-wake-");
  const key = makeKey(db, "worker", "queue:*");
  const socket = join(dir, "s.sock");
  const server = await startServer({ client: await connect(db), socket, pollMs: 30_000 });
  try {
    const claims = Array.from({ length: POLLS }, () =>
      call(socket, "POST", "/v1/queues/mail/claim", { key, body: { wait: 25, lease: 60_000 } }),
    );
    await until(async () => (await shared()) > 0, "the waiters' signal");
    await Bun.sleep(300); // every claim reaches its wait
    expect(await shared()).toBe(1);
    const pushedAt = performance.now();
    for (let i = 0; i < POLLS; i++) {
      const pushed = await call(socket, "POST", "/v1/queues/mail/jobs", {
        key,
        body: { payload: { i } },
      });
      expect(pushed.status).toBe(201);
    }
    // Without the signal, they would only look again at the end of their 25 s wait.
    const answers = await Promise.all(claims);
    expect(performance.now() - pushedAt).toBeLessThan(12_000);
    expect(answers.map((a) => a.status)).toEqual(Array(POLLS).fill(200));
    const got = answers.map((a) => (a.body as { payload: { i: number } }).payload.i);
    expect(got.sort((a, b) => a - b)).toEqual(Array.from({ length: POLLS }, (_, i) => i));
  } finally {
    await server.stop();
  }
}

describe("the long poll's wake-up", () => {
  test("on SQLite: one WAL watch for 32 waiting claims, woken by pushes alone", async () => {
    const db = join(tempDir("coffer-serve-wake-db-"), "c.db");
    await wokenByPushes(db, async () => openWatchCount());
    expect(openWatchCount()).toBe(0);
  });

  test.skipIf(!pg)(
    "on PostgreSQL: one LISTEN connection for 32 waiting claims, woken by pushes alone",
    async () => {
      if (!pg) return;
      const db = await freshDatabase(pg, "serve_wake");
      const admin = new SQL(pg.url, { max: 1 });
      try {
        const listening = async () => {
          const [row] = await admin.unsafe(
            `SELECT count(*)::int AS n FROM pg_stat_activity
             WHERE datname = $1 AND query ILIKE 'LISTEN%'`,
            [db.database],
          );
          return Number(row?.n ?? 0);
        };
        await wokenByPushes(db.url, listening);
      } finally {
        await admin.close();
      }
    },
  );
});
