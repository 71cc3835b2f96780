// Revoking a key through coffer serve, on both engines: the server keeps the
// keys it found, but `coffer key rm` in another process takes effect on the
// very next request (SQLite: PRAGMA data_version; PostgreSQL: the NOTIFY).

import { describe, expect, test } from "bun:test";
import { coffer } from "../helpers/binary.ts";
import { freshDatabase, pgServer } from "../helpers/pg-server.ts";
import { call, makeKey, serve } from "../helpers/serve.ts";

const pg = await pgServer();

async function revoked(db?: string): Promise<void> {
  const s = await serve(db ? { db } : {});
  try {
    const gone = makeKey(s.db, "gone", "sessions");
    const kept = makeKey(s.db, "kept", "sessions");
    // Found, and then served from the cache.
    for (let i = 0; i < 3; i++)
      expect((await call(s.socket, "GET", "/v1/sessions", { key: gone })).status).toBe(200);
    expect(coffer(["--db", s.db, "key", "rm", "gone"]).code).toBe(0);
    const refused = await call(s.socket, "GET", "/v1/sessions", { key: gone });
    expect(refused.status).toBe(401);
    expect(refused.body).toMatchObject({ error: { code: "unauthorized", exit: 4 } });
    expect((await call(s.socket, "GET", "/v1/sessions", { key: kept })).status).toBe(200);
    // Other writes to the store do not lock the remaining key out.
    expect(coffer(["--db", s.db, "queue", "push", "q", "1"]).code).toBe(0);
    expect((await call(s.socket, "GET", "/v1/sessions", { key: kept })).status).toBe(200);
  } finally {
    expect(await s.stop()).toBe(0);
  }
}

describe("a removed key", () => {
  test("is refused (401) on the next request, on SQLite", async () => {
    await revoked();
  });

  test.skipIf(!pg)("is refused (401) on the next request, on PostgreSQL", async () => {
    if (!pg) return;
    await revoked((await freshDatabase(pg, "serve_keys")).url);
  });
});
