// coffer's own envelope vector: the committed format-1 vault must keep
// decrypting, with the passphrase typed in NFC or NFD.

import { describe, expect, it } from "bun:test";
import { join } from "node:path";
import { openStore } from "../../../src/store/store.ts";
import { inspectVault, proveUnlock } from "../../../src/vault/inspect.ts";
import { unlockVault } from "../../../src/vault/open.ts";
import { tempDir } from "../../helpers/tmp.ts";
import { vector, writeVectorStore } from "../../helpers/vault.ts";

describe("vault-v1 vector", () => {
  const path = join(tempDir(), "vector.db");
  writeVectorStore(path);

  it("should decrypt every expected version", async () => {
    using store = openStore({ path });
    const vault = await unlockVault(store, vector.passphrase);
    for (const e of vector.expected) {
      const secret = await vault.get(e.name, e.scope, e.version);
      expect(Buffer.from(secret.value).toString("hex")).toBe(e.value_hex);
    }
  });

  it("should open with the NFD spelling of the passphrase", async () => {
    expect(vector.passphrase_nfd).not.toBe(vector.passphrase);
    using store = openStore({ path });
    expect(await proveUnlock(store.db, vector.passphrase_nfd)).toEqual({ entries: 4, versions: 5 });
  });

  it("should inspect without a passphrase", () => {
    using store = openStore({ path });
    expect(inspectVault(store.db)).toMatchObject({
      present: true,
      formatVersion: 1,
      kdf: { id: "argon2id-v19", memoryKiB: 19456, iterations: 2, parallelism: 1 },
      entries: 4,
      versions: 5,
      generation: 5,
    });
  });
});
