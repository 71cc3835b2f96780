// Moving plaintext config secrets into the vault: vault first, file second,
// and a file that cannot be rewritten only reported.

import { describe, expect, it } from "bun:test";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { openStore } from "../../../src/store/store.ts";
import { createVault } from "../../../src/vault/open.ts";
import { movePlaintextSecrets } from "../../../src/vault/plaintext.ts";
import { TEST_ONLY_KDF_BOUNDS, TEST_ONLY_KDF_PARAMS } from "../../../src/vault/testing.ts";
import { tempDir } from "../../helpers/tmp.ts";

const text = (b: Uint8Array) => new TextDecoder().decode(b);

async function setup(config: string) {
  const dir = tempDir();
  const path = join(dir, "config.toml");
  writeFileSync(path, config);
  const store = openStore({ path: join(dir, "coffer.db") });
  const vault = await createVault(store, "pw", TEST_ONLY_KDF_PARAMS, {
    kdfBounds: TEST_ONLY_KDF_BOUNDS,
  });
  return { dir, path, store, vault };
}

describe("movePlaintextSecrets", () => {
  it("should store changed values only and strip the table", async () => {
    const { path, store, vault } = await setup('[secrets]\nA = "1"\nB = "2"\n');
    await vault.set("A", new TextEncoder().encode("1"));
    const r = await movePlaintextSecrets(vault, { A: "1", B: "2" }, path);
    expect(r).toEqual({ moved: 1, removed: true });
    expect(text((await vault.get("B")).value)).toBe("2");
    expect((await vault.history("A")).length).toBe(1);
    expect(readFileSync(path, "utf8")).toBe("");
    store.close();
  });

  it("should keep the secrets in the vault when the file cannot be rewritten", async () => {
    const { dir, path, store, vault } = await setup('[secrets]\nC = "3"\n');
    // The temp file's name is taken: the rewrite fails, whoever runs the test.
    mkdirSync(join(dir, `.config.toml.${process.pid}.tmp`));
    const r = await movePlaintextSecrets(vault, { C: "3" }, path);
    expect(r).toEqual({ moved: 1, removed: false });
    expect(text((await vault.get("C")).value)).toBe("3");
    expect(readFileSync(path, "utf8")).toContain("[secrets]");
    store.close();
  });
});
