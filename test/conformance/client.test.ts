// The conformance check: one script of every Client operation, run unchanged
// on SQLite and on a real PostgreSQL, must give the same results on both
// (clock readings and lease tokens compared by shape, not value).

import { describe, expect, test } from "bun:test";
import { join } from "node:path";
import { connect } from "../../src/index.ts";
import { script } from "../helpers/client-script.ts";
import { freshDatabase, pgServer } from "../helpers/pg-server.ts";
import { tempDir } from "../helpers/tmp.ts";

const pg = await pgServer();

const CLOCK = /At$|^runAt$|^lockedUntil$|^nextRun$/;

/** Clock readings become "time" (or null), tokens "token": what may differ between two runs. */
function shape(value: unknown, key = ""): unknown {
  if (Array.isArray(value)) return value.map((v) => shape(v));
  if (value && typeof value === "object") {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, shape(v, k)]));
  }
  if (CLOCK.test(key)) return typeof value === "number" ? "time" : value;
  if (key === "leaseToken") return typeof value === "string" ? "token" : value;
  if (key === "message" && typeof value === "string") return value.replace(/\d{4}-\d\d-\S+Z/g, "T");
  return value;
}

async function run(target: string): Promise<unknown[]> {
  const client = await connect(target);
  try {
    return shape(await script(client)) as unknown[];
  } finally {
    await client.close();
  }
}

describe.skipIf(!pg)("the Client on both engines", () => {
  test("gives the same results for every operation on SQLite and PostgreSQL", async () => {
    if (!pg) return;
    const db = await freshDatabase(pg, "conformance");
    const sqlite = await run(join(tempDir(), "c.db"));
    const postgres = await run(db.url);
    // The script really ran: its messages, its failed job and its final refusals are there.
    const text = JSON.stringify(sqlite);
    for (const seen of ['"content":"hello"', '"lastError":"boom"', '"error":"NotFoundError"']) {
      expect(text).toContain(seen);
    }
    expect(postgres.length).toBe(sqlite.length);
    for (let i = 0; i < sqlite.length; i++) expect(postgres[i], `step ${i}`).toEqual(sqlite[i]);
  });

  test("commits several writes together or none, on PostgreSQL through connect()", async () => {
    if (!pg) return;
    const db = await freshDatabase(pg, "conformance_tx");
    const client = await connect(db.url);
    try {
      expect(client.engine).toBe("postgres");
      const failed = client.transaction(async (tx) => {
        await tx.sessions.create({ id: "t1" });
        await tx.messages.append("t1", { role: "user", content: "x" });
        await tx.queue.enqueue("q", { s: "t1" });
        throw new Error("boom");
      });
      expect(failed).rejects.toThrow("boom");
      await failed.catch(() => {});
      expect(await client.sessions.get("t1")).toBeNull();
      expect(await client.queue.list("q")).toEqual([]);
      await client.transaction(async (tx) => {
        await tx.sessions.create({ id: "t1" });
        await tx.messages.append("t1", { role: "user", content: "x" });
      });
      expect(await client.messages.count("t1")).toBe(1);
    } finally {
      await client.close();
    }
  });
});
