// Sessions on PostgreSQL: the assertions of test/unit/state/sessions.test.ts
// against the private server, with times from the server's clock.

import { describe, expect, test } from "bun:test";
import { openPostgres, type PgConnection } from "../../src/engines/postgres/index.ts";
import { PgMessages } from "../../src/state/messages/postgres.ts";
import { PgSessions } from "../../src/state/sessions/postgres.ts";
import { freshDatabase, pgServer } from "../helpers/pg-server.ts";

const pg = await pgServer();
const db = pg ? await freshDatabase(pg) : null;

async function open(): Promise<{ conn: PgConnection; s: PgSessions; m: PgMessages }> {
  if (!db) throw new Error("no PostgreSQL");
  const conn = await openPostgres(db.url);
  await conn.sql`TRUNCATE sessions CASCADE`;
  return { conn, s: new PgSessions(conn), m: new PgMessages(conn) };
}

async function rejects(p: Promise<unknown>): Promise<{ code: number; message: string }> {
  return p.then(
    () => ({ code: 0, message: "resolved" }),
    (e) => e,
  );
}

async function serverNow(conn: PgConnection): Promise<number> {
  const [row] = await conn.sql`SELECT now_ms()::float8 AS now`;
  return row.now;
}

describe.skipIf(!pg)("PgSessions", () => {
  test("create and read back a session with every field, times as ms numbers", async () => {
    const { conn, s } = await open();
    const created = await s.create({
      id: "s1",
      channel: "slack",
      userId: "u7",
      metadata: { lang: "en", b: 2, a: 1 },
    });
    expect(created).toEqual({
      id: "s1",
      channel: "slack",
      userId: "u7",
      state: "active",
      metadata: { lang: "en", b: 2, a: 1 },
      createdAt: created.createdAt,
      updatedAt: created.createdAt,
      agent: null,
      parentId: null,
      forkedAt: null,
      expiresAt: null,
      lastMessageAt: null,
    });
    expect(typeof created.createdAt).toBe("number");
    expect(Math.abs(created.createdAt - (await serverNow(conn)))).toBeLessThan(5_000);
    expect(await s.get("s1")).toEqual(created);
    expect(await s.get("nope")).toBeNull();
    expect((await rejects(s.require("nope"))).code).toBe(3);
    await conn.close();
  });

  test("generate ids and refuse duplicates (exit 2); bad input rejects", async () => {
    const { conn, s } = await open();
    const a = await s.create();
    expect(a.id).toMatch(/^[0-9a-f-]{36}$/);
    expect(a).toMatchObject({ channel: "unknown", userId: null, state: "active", metadata: null });
    const dup = await rejects(s.create({ id: a.id }));
    expect(dup).toMatchObject({ code: 2, message: `session ${a.id} already exists` });
    expect((await rejects(s.create({ id: "" }))).code).toBe(2);
    expect((await rejects(s.create({ metadata: { n: Number.NaN } }))).code).toBe(2);
    expect((await rejects(s.updateState(a.id, ""))).code).toBe(2);
    expect(await s.count()).toBe(1);
    await conn.close();
  });

  test("list newest first, filtered by state, page by page; count", async () => {
    const { conn, s } = await open();
    for (let i = 0; i < 5; i++) {
      await s.create({ id: `s${i}`, state: i % 2 ? "closed" : "active" });
      // The server's clock cannot be advanced: space the rows out as the unit test's clock does.
      await conn.sql`UPDATE sessions SET created_at = ${1_000_000 + i * 1000} WHERE id = ${`s${i}`}`;
    }
    const ids = async (o?: Parameters<PgSessions["list"]>[0]) => (await s.list(o)).map((x) => x.id);
    expect(await ids()).toEqual(["s4", "s3", "s2", "s1", "s0"]);
    expect(await ids({ state: "closed" })).toEqual(["s3", "s1"]);
    expect(await ids({ limit: 2 })).toEqual(["s4", "s3"]);
    expect(await ids({ limit: 2, offset: 2 })).toEqual(["s2", "s1"]);
    expect((await rejects(s.list({ limit: 0 }))).code).toBe(2);
    expect(await s.count()).toBe(5);
    expect(await s.count("closed")).toBe(2);
    expect(await s.count("none")).toBe(0);
    await conn.close();
  });

  test("update the state and the update time on the server clock", async () => {
    const { conn, s } = await open();
    await s.create({ id: "s" });
    await conn.sql`UPDATE sessions SET created_at = created_at - 5000, updated_at = updated_at - 5000`;
    const updated = await s.updateState("s", "closed");
    expect(updated.state).toBe("closed");
    expect(updated.updatedAt - updated.createdAt).toBeGreaterThanOrEqual(5000);
    expect(Math.abs(updated.updatedAt - (await serverNow(conn)))).toBeLessThan(5_000);
    expect((await rejects(s.updateState("missing", "closed"))).code).toBe(3);
    await conn.close();
  });

  test("delete a session with its messages; a missing one is exit 3", async () => {
    const { conn, s, m } = await open();
    await s.create({ id: "a" });
    await s.create({ id: "b" });
    await m.append("a", { role: "user", content: "1" });
    await m.append("b", { role: "user", content: "2" });
    await s.delete("a");
    expect(await s.get("a")).toBeNull();
    expect(await m.count("a")).toBe(0);
    expect(await m.count("b")).toBe(1);
    const gone = await rejects(s.delete("a"));
    expect(gone).toMatchObject({ code: 3, message: "no session a" });
    await conn.close();
  });

  test("a transaction's handle: writes commit together or not at all", async () => {
    const { conn, s } = await open();
    const failed = await rejects(
      conn.sql.begin(async (tx) => {
        const inTx = new PgSessions({ sql: tx, target: conn.target });
        await inTx.create({ id: "t1" });
        await inTx.create({ id: "t1" });
      }),
    );
    expect(failed.code).toBe(2);
    expect(await s.get("t1")).toBeNull();
    await conn.sql.begin(async (tx) => {
      const inTx = new PgSessions({ sql: tx, target: conn.target });
      await inTx.create({ id: "t2" });
      await new PgMessages({ sql: tx, target: conn.target }).append("t2", {
        role: "system",
        content: "hi",
      });
    });
    expect(await s.count()).toBe(1);
    await conn.close();
  });
});
