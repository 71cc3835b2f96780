// The vault library over a real store file, with cheap test-only KDF parameters.

import { describe, expect, it } from "bun:test";
import { join } from "node:path";
import { AuthError, BusyError, IntegrityError, NotFoundError } from "../../../src/errors.ts";
import { openStore, type Store } from "../../../src/store/store.ts";
import { inspectVault, proveUnlock } from "../../../src/vault/inspect.ts";
import { createVault, unlockVault, vaultExists } from "../../../src/vault/open.ts";
import { TEST_ONLY_KDF_BOUNDS, TEST_ONLY_KDF_PARAMS } from "../../../src/vault/testing.ts";
import { tempDir } from "../../helpers/tmp.ts";

const opts = { kdfBounds: TEST_ONLY_KDF_BOUNDS };
const bytes = (s: string) => new TextEncoder().encode(s);
const text = (b: Uint8Array) => new TextDecoder().decode(b);

function freshStore(): Store {
  return openStore({ path: join(tempDir(), "coffer.db") });
}

describe("vault", () => {
  it("should be absent until created, then unlock with the same passphrase only", async () => {
    using store = freshStore();
    expect(vaultExists(store)).toBe(false);
    expect(inspectVault(store.db)).toEqual({ present: false });
    await expect(unlockVault(store, "pw", opts)).rejects.toBeInstanceOf(NotFoundError);
    const vault = await createVault(store, "pw", TEST_ONLY_KDF_PARAMS, opts);
    await vault.set("OPENAI", bytes("sk-one"));
    const again = await unlockVault(store, "pw", opts);
    expect(text((await again.get("OPENAI")).value)).toBe("sk-one");
    await expect(unlockVault(store, "wrong", opts)).rejects.toBeInstanceOf(AuthError);
  });

  it("should keep versions as history and prune beyond the limit", async () => {
    using store = freshStore();
    const vault = await createVault(store, "pw", TEST_ONLY_KDF_PARAMS, opts);
    for (let i = 1; i <= 12; i++) await vault.set("K", bytes(`v${i}`));
    const history = await vault.history("K");
    expect(history.map((h) => h.version)).toEqual([3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
    expect(text((await vault.get("K", "global", 5)).value)).toBe("v5");
    expect(text((await vault.get("K")).value)).toBe("v12");
    await expect(vault.get("K", "global", 1)).rejects.toBeInstanceOf(NotFoundError);
  });

  it("should keep scopes apart", async () => {
    using store = freshStore();
    const vault = await createVault(store, "pw", TEST_ONLY_KDF_PARAMS, opts);
    await vault.set("K", bytes("global-value"));
    await vault.set("K", bytes("bot-value"), "bot-1");
    expect(text((await vault.get("K", "bot-1")).value)).toBe("bot-value");
    expect((await vault.current("bot-1")).map((s) => s.scope)).toEqual(["bot-1"]);
    await vault.remove("K", "bot-1");
    await expect(vault.get("K", "bot-1")).rejects.toBeInstanceOf(NotFoundError);
    expect(text((await vault.get("K")).value)).toBe("global-value");
  });

  it("should rotate the master key and keep every version readable", async () => {
    using store = freshStore();
    const vault = await createVault(store, "pw", TEST_ONLY_KDF_PARAMS, opts);
    await vault.set("A", bytes("a1"));
    await vault.set("A", bytes("a2"));
    const before = store.db.query("SELECT wrapped_key FROM vault_meta").get();
    expect(await vault.rotate()).toBe(2);
    expect(store.db.query("SELECT wrapped_key FROM vault_meta").get()).not.toEqual(before);
    const reopened = await unlockVault(store, "pw", opts);
    expect(text((await reopened.get("A", "global", 1)).value)).toBe("a1");
    expect(text((await reopened.get("A")).value)).toBe("a2");
  });

  it("should change the passphrase without re-encrypting entries", async () => {
    using store = freshStore();
    const vault = await createVault(store, "old", TEST_ONLY_KDF_PARAMS, opts);
    await vault.set("A", bytes("a"));
    const cipher = store.db.query("SELECT ciphertext FROM vault_entries").get();
    await vault.changePassphrase("new", TEST_ONLY_KDF_PARAMS);
    expect(store.db.query("SELECT ciphertext FROM vault_entries").get()).toEqual(cipher);
    await expect(unlockVault(store, "old", opts)).rejects.toBeInstanceOf(AuthError);
    expect(text((await (await unlockVault(store, "new", opts)).get("A")).value)).toBe("a");
    expect(await proveUnlock(store.db, "new", opts)).toEqual({ entries: 1, versions: 1 });
  });

  it("should detect a deleted row", async () => {
    using store = freshStore();
    const vault = await createVault(store, "pw", TEST_ONLY_KDF_PARAMS, opts);
    await vault.set("A", bytes("a"));
    await vault.set("B", bytes("b"));
    store.db.run("DELETE FROM vault_entries WHERE name = 'B'");
    await expect(unlockVault(store, "pw", opts)).rejects.toBeInstanceOf(IntegrityError);
  });

  it("should refuse the CLI's bounds for a vault made with test parameters", async () => {
    using store = freshStore();
    await createVault(store, "pw", TEST_ONLY_KDF_PARAMS, opts);
    await expect(unlockVault(store, "pw")).rejects.toBeInstanceOf(IntegrityError);
    expect(() => inspectVault(store.db)).toThrow(IntegrityError);
  });

  it("should notice a writer that re-keyed meanwhile", async () => {
    using store = freshStore();
    const a = await createVault(store, "pw", TEST_ONLY_KDF_PARAMS, opts);
    const b = await unlockVault(store, "pw", opts);
    await b.rotate();
    await expect(a.set("X", bytes("x"))).rejects.toBeInstanceOf(BusyError);
  });

  it("should retry a write whose generation moved while it was sealing", async () => {
    using store = freshStore();
    const a = await createVault(store, "pw", TEST_ONLY_KDF_PARAMS, opts);
    const b = await unlockVault(store, "pw", opts);
    // Both read generation 0 and seal before either transaction runs.
    const versions = await Promise.all([a.set("X", bytes("a")), b.set("X", bytes("b"))]);
    expect(versions.sort()).toEqual([1, 2]);
    expect((await a.history("X")).length).toBe(2);
    expect(store.db.query("SELECT generation FROM vault_meta").get()).toEqual({ generation: 2 });
  });

  it("should report the vault without a passphrase", async () => {
    using store = freshStore();
    const vault = await createVault(store, "pw", TEST_ONLY_KDF_PARAMS, opts);
    await vault.setMany([
      { name: "A", value: bytes("1") },
      { name: "B", value: bytes("2"), scope: "s" },
    ]);
    await vault.set("A", bytes("3"));
    store.db.run(
      "UPDATE vault_meta SET kdf_memory_kib = 19456, kdf_iterations = 2, kdf_parallelism = 1",
    );
    expect(inspectVault(store.db)).toMatchObject({
      present: true,
      formatVersion: 1,
      kdf: { id: "argon2id-v19", memoryKiB: 19456, iterations: 2, parallelism: 1 },
      entries: 2,
      versions: 3,
      generation: 2,
    });
  });
});

describe("test-only KDF bounds", () => {
  it("should accept no other bounds object than TEST_ONLY_KDF_BOUNDS", async () => {
    using store = freshStore();
    const lax = {
      min: { memoryKiB: 8, iterations: 1, parallelism: 1 },
      max: TEST_ONLY_KDF_BOUNDS.max,
      maxCost: TEST_ONLY_KDF_BOUNDS.maxCost,
    };
    await expect(
      createVault(store, "pw", TEST_ONLY_KDF_PARAMS, { kdfBounds: lax }),
    ).rejects.toThrow("TEST_ONLY_KDF_BOUNDS");
    expect(vaultExists(store)).toBe(false);
  });
});
