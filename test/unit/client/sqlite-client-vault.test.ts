// client.vault on SQLite: each vault read and write takes the client's turn
// like every other operation, and two clients on one file lose no write.

import { describe, expect, it } from "bun:test";
import { join } from "node:path";
import { connect, UsageError } from "../../../src/index.ts";
import { TEST_ONLY_KDF_BOUNDS, TEST_ONLY_KDF_PARAMS } from "../../../src/vault/testing.ts";
import { deferred, settle } from "../../helpers/client-script.ts";
import { tempDir } from "../../helpers/tmp.ts";

const opts = { kdfBounds: TEST_ONLY_KDF_BOUNDS };
const bytes = (s: string) => new TextEncoder().encode(s);

describe("client.vault on SQLite", () => {
  it("waits for an open transaction before it writes, and is refused inside one", async () => {
    const client = await connect(join(tempDir(), "c.db"));
    const vault = await client.vault.create("pw", TEST_ONLY_KDF_PARAMS, opts);
    const gate = deferred();
    let inside: unknown;
    const tx = client.transaction(async (t) => {
      await t.queue.enqueue("q", {});
      inside = await client.vault.exists().catch((e: unknown) => e);
      await gate.promise;
    });
    let stored = false;
    const set = vault.set("A", bytes("a")).then((v) => {
      stored = true;
      return v;
    });
    await settle();
    expect(stored).toBe(false);
    expect(inside).toBeInstanceOf(UsageError);
    gate.resolve();
    await tx;
    expect(await set).toBe(1);
    await client.close();
    await expect(client.vault.exists()).rejects.toBeInstanceOf(UsageError);
  });

  it("keeps every write of two clients on one file", async () => {
    const path = join(tempDir(), "c.db");
    const a = await connect(path);
    const b = await connect(path);
    const va = await a.vault.create("pw", TEST_ONLY_KDF_PARAMS, opts);
    const vb = await b.vault.unlock("pw", opts);
    await Promise.all(
      Array.from({ length: 10 }, (_, i) => (i % 2 ? va : vb).set("SHARED", bytes(`v${i}`))),
    );
    const again = await a.vault.unlock("pw", opts);
    expect((await again.history("SHARED")).map((h) => h.version)).toEqual([
      1, 2, 3, 4, 5, 6, 7, 8, 9, 10,
    ]);
    await a.close();
    await b.close();
  });
});
