// Sessions created in the same millisecond list in the same order on both
// engines (by id, in byte order), so `session list` agrees across engines
// and after a store moves between them.

import { Database } from "bun:sqlite";
import { describe, expect, test } from "bun:test";
import { join } from "node:path";
import { SQL } from "bun";
import { connect } from "../../src/index.ts";
import { freshDatabase, pgServer } from "../helpers/pg-server.ts";
import { tempDir } from "../helpers/tmp.ts";

const pg = await pgServer();

// Inserted in this order; byte order differs from it and from a locale's collation.
const IDS = ["s1", "s-ü", "S2", "s-a", "ä"];

async function listed(target: string, sameTime: () => Promise<void>): Promise<string[]> {
  const client = await connect(target);
  try {
    for (const id of IDS) await client.sessions.create({ id });
    await sameTime();
    return (await client.sessions.list()).map((s) => s.id);
  } finally {
    await client.close();
  }
}

describe.skipIf(!pg)("sessions with the same creation time", () => {
  test("list in one order on SQLite and PostgreSQL: by id, in byte order", async () => {
    if (!pg) return;
    const path = join(tempDir(), "c.db");
    const lite = await listed(path, async () => {
      const db = new Database(path);
      db.run("UPDATE sessions SET created_at = 1000");
      db.close();
    });
    const { url } = await freshDatabase(pg, "session_order");
    const onPg = await listed(url, async () => {
      const sql = new SQL(url, { max: 1 });
      await sql`UPDATE coffer.sessions SET created_at = 1000`;
      await sql.close();
    });
    const bytes = [...IDS].sort((a, b) => Buffer.compare(Buffer.from(b), Buffer.from(a)));
    expect(lite).toEqual(bytes);
    expect(onPg).toEqual(bytes);
  });
});
