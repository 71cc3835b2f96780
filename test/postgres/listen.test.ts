// Waiting workers on PostgreSQL when the LISTEN connection drops: a job pushed
// while the listener is down (its backend terminated, reconnects refused) is
// still claimed by polling, and once connections are allowed again the
// listener is back and a notice wakes it.

import { describe, expect, test } from "bun:test";
import { SQL } from "bun";
import { openPostgres } from "../../src/engines/postgres/index.ts";
import { claimOrWait, listenForJobs } from "../../src/engines/postgres/listen.ts";
import { PgQueue } from "../../src/state/queue/postgres.ts";
import { freshDatabase, pgServer } from "../helpers/pg-server.ts";

const pg = await pgServer();
const db = pg ? await freshDatabase(pg, "listen") : null;

/** The backends of the test database that hold a LISTEN (Bun's listener connection). */
async function listeners(admin: SQL): Promise<number[]> {
  const rows = await admin`SELECT pid FROM pg_stat_activity
    WHERE datname = ${db?.database ?? ""} AND query LIKE 'LISTEN %'`;
  return rows.map((r: { pid: number }) => r.pid);
}

async function allowConnections(admin: SQL, allow: boolean): Promise<void> {
  await admin.unsafe(`ALTER DATABASE "${db?.database}" ALLOW_CONNECTIONS ${allow}`);
}

describe.skipIf(!pg)("LISTEN with a polling floor", () => {
  test("listener's backend terminated: a job pushed meanwhile is claimed by polling; the listener comes back", async () => {
    if (!pg || !db) throw new Error("no PostgreSQL");
    const admin = new SQL(pg.url.replace(/\/coffer_test$/, "/postgres"), { max: 1 });
    const worker = await openPostgres(db.url);
    const pusher = await openPostgres(db.url);
    const q = new PgQueue(worker);
    const other = new PgQueue(pusher);
    const listener = await listenForJobs(worker, "w");
    try {
      expect(await q.dequeue("w")).toBeNull(); // the pool's connection is open before the lockout
      expect(await other.get(1)).toBeNull();
      const [old] = await listeners(admin);
      expect(old).toBeNumber();

      // The listener's connection goes, and no new connection may replace it for now.
      await allowConnections(admin, false);
      await admin`SELECT pg_terminate_backend(${old ?? 0})`;
      const began = performance.now();
      const claimed = claimOrWait(listener, () => q.dequeue("w"), 20_000);
      await Bun.sleep(300); // its first claim found nothing: it waits now
      const id = await other.enqueue("w", { pushed: "while the listener is down" });
      const job = await claimed;
      expect(job?.id).toBe(id);
      // Found by a poll (1 s), not by the 20 s timeout's last look.
      expect(performance.now() - began).toBeLessThan(10_000);
      await q.ack(id, { token: job?.leaseToken ?? undefined });

      // Connections allowed again: Bun's listener reconnects and LISTENs anew.
      await allowConnections(admin, true);
      let now: number[] = [];
      for (let i = 0; i < 200 && now.length === 0; i++) {
        await Bun.sleep(50);
        now = await listeners(admin);
      }
      expect(now).toHaveLength(1);
      expect(now[0]).not.toBe(old);
      const woken = listener.wait(60_000);
      await other.enqueue("w", 2);
      expect(await woken).toBe(true); // a notice, not the poll interval (that resolves false)
    } finally {
      await allowConnections(admin, true);
      await listener.close().catch(() => {});
      await worker.close();
      await pusher.close();
      await admin.close();
    }
  });

  test("wait resolves false after the poll interval when the timeout is longer", async () => {
    if (!db) throw new Error("no PostgreSQL");
    const conn = await openPostgres(db.url);
    const listener = await listenForJobs(conn, "quiet", { pollMs: 100 });
    const began = performance.now();
    expect(await listener.wait(60_000)).toBe(false);
    expect(performance.now() - began).toBeLessThan(30_000);
    await listener.close();
    await conn.close();
  });
});
