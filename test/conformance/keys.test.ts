// keys.version() on both engines: it stays put while nothing changes and
// moves once another connection removes a key, so a server may keep the
// keys it found only as long as it reads the same version.

import { describe, expect, test } from "bun:test";
import { join } from "node:path";
import { type Client, connect } from "../../src/index.ts";
import { freshDatabase, pgServer } from "../helpers/pg-server.ts";
import { tempDir } from "../helpers/tmp.ts";

const pg = await pgServer();

const engines: [string, () => Promise<string>][] = [
  ["SQLite", async () => join(tempDir(), "k.db")],
  ["PostgreSQL", async () => (await freshDatabase(pg as never, "keys")).url],
];

async function until(check: () => Promise<boolean>): Promise<boolean> {
  for (let i = 0; i < 200; i++) {
    if (await check()) return true;
    await Bun.sleep(10);
  }
  return false;
}

for (const [engine, place] of engines) {
  describe.skipIf(engine === "PostgreSQL" && !pg)(`keys.version() on ${engine}`, () => {
    test("is stable while nothing changes, and moves on another connection's removal", async () => {
      const where = await place();
      const server: Client = await connect(where);
      const cli: Client = await connect(where);
      try {
        await cli.keys.create({ name: "a", rules: ["sessions"] });
        const before = await server.keys.version();
        expect(await server.keys.version()).toBe(before);
        await cli.keys.remove("a");
        // SQLite: at once; PostgreSQL: once the NOTIFY has come (milliseconds).
        expect(await until(async () => (await server.keys.version()) !== before)).toBe(true);
        const after = await server.keys.version();
        expect(await server.keys.version()).toBe(after);
        // A removal through the same connection moves it too.
        await server.keys.create({ name: "b", rules: [] });
        const mine = await server.keys.version();
        await server.keys.remove("b");
        expect(await server.keys.version()).not.toBe(mine);
        // Inside a transaction it answers too (on PostgreSQL: never the same twice).
        await server.transaction(async (tx) => {
          expect(typeof (await tx.keys.version())).toBe("string");
        });
      } finally {
        await cli.close();
        await server.close();
      }
    });
  });
}
