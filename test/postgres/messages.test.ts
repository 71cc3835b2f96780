// Messages on PostgreSQL: the assertions of test/unit/state/messages.test.ts
// against the private server, plus redaction before storage.

import { describe, expect, test } from "bun:test";
import { openPostgres, type PgConnection } from "../../src/engines/postgres/index.ts";
import type { Role } from "../../src/index.ts";
import { PgMessages } from "../../src/state/messages/postgres.ts";
import { PgSessions } from "../../src/state/sessions/postgres.ts";
import { freshDatabase, pgServer } from "../helpers/pg-server.ts";

const pg = await pgServer();
const db = pg ? await freshDatabase(pg) : null;

async function open(
  redact?: (text: string) => string,
): Promise<{ conn: PgConnection; m: PgMessages }> {
  if (!db) throw new Error("no PostgreSQL");
  const conn = await openPostgres(db.url);
  await conn.sql`TRUNCATE sessions CASCADE`;
  await new PgSessions(conn).create({ id: "s" });
  return { conn, m: new PgMessages(conn, redact ? { redact } : {}) };
}

async function rejects(p: Promise<unknown>): Promise<{ code: number; message: string }> {
  return p.then(
    () => ({ code: 0, message: "resolved" }),
    (e) => e,
  );
}

describe.skipIf(!pg)("PgMessages", () => {
  test("append and list in the order appended, even with equal times", async () => {
    const { conn, m } = await open();
    const contents = ["one", "two", "three", "four"];
    // One transaction: now() is the same for every row, so only the id orders them.
    await conn.sql.begin(async (tx) => {
      const inTx = new PgMessages({ sql: tx, target: conn.target });
      for (const content of contents) await inTx.append("s", { role: "user", content });
    });
    const listed = await m.list("s");
    expect(listed.map((x) => x.content)).toEqual(contents);
    expect(new Set(listed.map((x) => x.createdAt)).size).toBe(1);
    await conn.close();
  });

  test("keep role, token count and metadata; ids and times are numbers", async () => {
    const { conn, m } = await open();
    const msg = await m.append("s", {
      role: "tool",
      content: "{}",
      tokenCount: 12,
      metadata: { tool: "search", z: 1, a: [1, 2] },
    });
    expect(msg).toMatchObject({
      sessionId: "s",
      role: "tool",
      content: "{}",
      tokenCount: 12,
      metadata: { tool: "search", z: 1, a: [1, 2] },
    });
    expect(typeof msg.id).toBe("number");
    expect(typeof msg.createdAt).toBe("number");
    const [row] = await conn.sql`SELECT now_ms()::float8 AS now`;
    expect(Math.abs(msg.createdAt - row.now)).toBeLessThan(5_000);
    expect((await m.list("s"))[0]).toEqual(msg);
    const bare = await m.append("s", { role: "user", content: "x" });
    expect(bare).toMatchObject({ tokenCount: null, metadata: null });
    await conn.close();
  });

  test("return the last N oldest first, count, and page", async () => {
    const { conn, m } = await open();
    for (let i = 0; i < 10; i++) await m.append("s", { role: "assistant", content: `m${i}` });
    expect((await m.last("s", 3)).map((x) => x.content)).toEqual(["m7", "m8", "m9"]);
    expect(await m.count("s")).toBe(10);
    expect(await m.count()).toBe(10);
    expect(await m.count("other")).toBe(0);
    const page = await m.list("s", { limit: 2, offset: 4 });
    expect(page.map((x) => x.content)).toEqual(["m4", "m5"]);
    expect((await m.list("s", { offset: 8 })).map((x) => x.content)).toEqual(["m8", "m9"]);
    expect((await rejects(m.last("s", 0))).code).toBe(2);
    expect((await rejects(m.list("s", { limit: -1 }))).code).toBe(2);
    await conn.close();
  });

  test("refuse a bad role, token count or content, and a missing session", async () => {
    const { conn, m } = await open();
    const bad = [
      m.append("s", { role: "robot" as Role, content: "x" }),
      m.append("s", { role: "user", content: "x", tokenCount: -1 }),
      m.append("s", { role: "user", content: 5 as unknown as string }),
      m.append("s", { role: "user", content: "lone \ud800 surrogate" }),
      m.append("s", { role: "user", content: "x", metadata: { n: Number.POSITIVE_INFINITY } }),
    ];
    for (const p of bad) expect((await rejects(p)).code).toBe(2);
    const missing = await rejects(m.append("missing", { role: "user", content: "x" }));
    expect(missing).toMatchObject({ code: 3, message: "no session missing" });
    expect(await m.count()).toBe(0);
    await conn.close();
  });

  test("content and metadata (keys too) are redacted before storage", async () => {
    const { conn, m } = await open((t) => t.replaceAll("hunter2", "[REDACTED]"));
    const msg = await m.append("s", {
      role: "user",
      content: "my password is hunter2",
      metadata: { hunter2: ["hunter2", 1], ok: "fine" },
    });
    expect(msg.content).toBe("my password is [REDACTED]");
    expect(msg.metadata).toEqual({ "[REDACTED]": ["[REDACTED]", 1], ok: "fine" });
    const [row] = await conn.sql`SELECT content, metadata FROM messages WHERE id = ${msg.id}`;
    expect(`${row.content} ${row.metadata}`).not.toContain("hunter2");
    await conn.close();
  });

  test("refuse content holding NUL with a usage error (PostgreSQL text cannot hold it)", async () => {
    const { conn, m } = await open();
    const e = await rejects(m.append("s", { role: "user", content: "a\u0000b" }));
    expect(e.code).toBe(2);
    expect(e.message).toContain("cannot store this text");
    expect(await m.count("s")).toBe(0);
    await conn.close();
  });
});
