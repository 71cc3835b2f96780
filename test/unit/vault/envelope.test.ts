// The envelope's building blocks: field encoding, AES-GCM sealing with AAD,
// the wrap of the master key, and the entry-set digest.

import { describe, expect, it } from "bun:test";
import { AuthError } from "../../../src/errors.ts";
import { importAesKey, OpenFailed, open, randomBytes, seal } from "../../../src/vault/aead.ts";
import { deriveDigestKey, entrySetDigest } from "../../../src/vault/digest.ts";
import { encodeFields, entryAad, wrapAad } from "../../../src/vault/format.ts";
import { unwrapMasterKey, wrapMasterKey } from "../../../src/vault/keywrap.ts";

const hex = (b: Uint8Array) => Buffer.from(b).toString("hex");

describe("encodeFields", () => {
  it("should length-prefix every field so that no two lists encode alike", () => {
    expect(hex(encodeFields(["ab", new Uint8Array([1]), 2]))).toBe(
      "000000026162" + "0000000101" + "000000080000000000000002",
    );
    expect(hex(encodeFields(["a", "bc"]))).not.toBe(hex(encodeFields(["ab", "c"])));
  });

  it("should bind entries to scope, name and version", () => {
    const id = new Uint8Array(16);
    const base = hex(entryAad(id, "global", "A", 1));
    expect(hex(entryAad(id, "global", "A", 2))).not.toBe(base);
    expect(hex(entryAad(id, "other", "A", 1))).not.toBe(base);
    expect(hex(entryAad(id, "global", "B", 1))).not.toBe(base);
  });
});

describe("AES-256-GCM", () => {
  it("should use a fresh nonce each time and fail closed on any change", async () => {
    const key = await importAesKey(randomBytes(32));
    const aad = new Uint8Array([1, 2, 3]);
    const a = await seal(key, new TextEncoder().encode("x"), aad);
    const b = await seal(key, new TextEncoder().encode("x"), aad);
    expect(hex(a.nonce)).not.toBe(hex(b.nonce));
    expect(a.ciphertext.length).toBe(1 + 16);
    expect(new TextDecoder().decode(await open(key, a, aad))).toBe("x");
    await expect(open(key, a, new Uint8Array([1, 2, 4]))).rejects.toBeInstanceOf(OpenFailed);
    const flipped = { ...a, ciphertext: a.ciphertext.map((v, i) => (i === 0 ? v ^ 1 : v)) };
    await expect(open(key, flipped, aad)).rejects.toBeInstanceOf(OpenFailed);
  });
});

describe("key wrap", () => {
  it("should refuse to unwrap when the KDF parameters or salt differ", async () => {
    const kek = await importAesKey(randomBytes(32));
    const ctx = {
      vaultId: randomBytes(16),
      params: { memoryKiB: 65536, iterations: 3, parallelism: 4 },
      salt: randomBytes(16),
    };
    const master = randomBytes(32);
    const wrapped = await wrapMasterKey(kek, master, ctx);
    expect(await unwrapMasterKey(kek, wrapped, ctx)).toEqual(master);
    const edited = { ...ctx, params: { ...ctx.params, iterations: 2 } };
    await expect(unwrapMasterKey(kek, wrapped, edited)).rejects.toBeInstanceOf(AuthError);
    expect(hex(wrapAad(ctx.vaultId, ctx.params, ctx.salt))).not.toBe(
      hex(wrapAad(ctx.vaultId, ctx.params, randomBytes(16))),
    );
  });
});

describe("entry-set digest", () => {
  const key = deriveDigestKey(randomBytes(32));
  const id = randomBytes(16);
  const entry = (name: string, version: number) => ({
    scope: "global",
    name,
    version,
    created_at: 1,
    nonce: new Uint8Array(12).fill(version),
  });

  it("should not depend on row order but on every row and the generation", () => {
    const rows = [entry("A", 1), entry("B", 1)];
    const d = hex(entrySetDigest(key, id, 3, rows));
    expect(hex(entrySetDigest(key, id, 3, [...rows].reverse()))).toBe(d);
    expect(hex(entrySetDigest(key, id, 4, rows))).not.toBe(d);
    expect(hex(entrySetDigest(key, id, 3, rows.slice(1)))).not.toBe(d);
    expect(hex(entrySetDigest(key, id, 3, [entry("A", 2), entry("B", 1)]))).not.toBe(d);
  });
});
