// Argon2id against the reference implementation's vectors, and the bounds
// that must refuse before any derivation.

import { describe, expect, it, setDefaultTimeout } from "bun:test";
import { IntegrityError } from "../../../src/errors.ts";
import {
  checkKdfParams,
  DEFAULT_KDF_PARAMS,
  deriveKey,
  KDF_BOUNDS,
  passphraseBytes,
} from "../../../src/vault/kdf.ts";
import { TEST_ONLY_KDF_BOUNDS } from "../../../src/vault/testing.ts";
import reference from "../../vectors/argon2id-reference.json" with { type: "json" };

// Each test runs the binary (and the KDF) several times.
setDefaultTimeout(30_000);

const hex = (b: Uint8Array) => Buffer.from(b).toString("hex");
const salt = (s: string) => new TextEncoder().encode(s);

describe("argon2id reference vectors", () => {
  for (const v of reference.vectors) {
    it(`should match t=${v.t} m=${v.m_kib} p=${v.p} ${v.password}/${v.salt}`, async () => {
      const params = { memoryKiB: v.m_kib, iterations: v.t, parallelism: v.p };
      // Some reference vectors are below coffer's bounds: only the test-only bounds admit them.
      const key = await deriveKey(v.password, salt(v.salt), params, TEST_ONLY_KDF_BOUNDS);
      expect(hex(key)).toBe(v.hash);
    });
  }
});

describe("kdf bounds", () => {
  it("should accept the defaults and the exact limits", () => {
    checkKdfParams(DEFAULT_KDF_PARAMS);
    checkKdfParams(KDF_BOUNDS.min);
    checkKdfParams({ ...KDF_BOUNDS.max, iterations: 2 }); // 1 GiB × 2 = the cost limit
    checkKdfParams({ memoryKiB: 262_144, iterations: 8, parallelism: 16 });
  });

  for (const [what, params] of [
    ["memory below", { memoryKiB: 19_455, iterations: 3, parallelism: 1 }],
    ["iterations below", { memoryKiB: 65_536, iterations: 1, parallelism: 1 }],
    ["parallelism below", { memoryKiB: 65_536, iterations: 3, parallelism: 0 }],
    ["memory above", { memoryKiB: 1_048_577, iterations: 3, parallelism: 1 }],
    ["iterations above", { memoryKiB: 65_536, iterations: 11, parallelism: 1 }],
    ["parallelism above", { memoryKiB: 65_536, iterations: 3, parallelism: 17 }],
    ["a fraction", { memoryKiB: 65_536.5, iterations: 3, parallelism: 1 }],
    ["the largest m with the largest t (31 s)", { ...KDF_BOUNDS.max }],
    ["m×t just above the cost limit", { memoryKiB: 699_051, iterations: 3, parallelism: 1 }],
  ] as const) {
    it(`should refuse ${what} (IntegrityError comes only from the check before deriving)`, async () => {
      await expect(deriveKey("pw", salt("somesaltsomesalt"), params)).rejects.toBeInstanceOf(
        IntegrityError,
      );
    });
  }

  it("should normalise the passphrase to NFC", () => {
    expect(passphraseBytes("e\u0301")).toEqual(passphraseBytes("\u00e9"));
  });
});
