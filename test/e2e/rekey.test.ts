// secret passwd and secret rotate through the binary: the old wrapped key
// (and old ciphertexts) leave no copy in the file or its WAL.

import { Database } from "bun:sqlite";
import { beforeAll, describe, expect, it, setDefaultTimeout } from "bun:test";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { coffer, ensureBinary } from "../helpers/binary.ts";
import { tempDir } from "../helpers/tmp.ts";
import { cheapConfig, vaultEnv } from "../helpers/vault.ts";

// Each test runs the binary (and the KDF) several times.
setDefaultTimeout(30_000);

beforeAll(() => ensureBinary());

function column(dbPath: string, sql: string): Uint8Array[] {
  const db = new Database(dbPath, { readonly: true });
  try {
    return (db.query(sql).values() as Uint8Array[][]).map(
      (r) => new Uint8Array(r[0] as Uint8Array),
    );
  } finally {
    db.close();
  }
}

/** Every file SQLite may keep pages in, as raw bytes. */
function rawFiles(dbPath: string): Buffer[] {
  return [dbPath, `${dbPath}-wal`].filter(existsSync).map((p) => readFileSync(p));
}

function traces(dbPath: string, needle: Uint8Array): number {
  return rawFiles(dbPath).filter((buf) => buf.includes(needle)).length;
}

function setup() {
  const dir = tempDir();
  cheapConfig(dir);
  const env = vaultEnv(dir, { COFFER_PASSPHRASE: "old pass" });
  const dbPath = join(dir, "coffer.db");
  expect(coffer(["secret", "set", "A"], { env, stdin: "alpha-value" }).code).toBe(0);
  expect(coffer(["secret", "set", "A"], { env, stdin: "alpha-value-2" }).code).toBe(0);
  expect(coffer(["secret", "set", "B"], { env, stdin: "beta-value" }).code).toBe(0);
  return { dir, env, dbPath };
}

describe("secret passwd", () => {
  it("should re-wrap only the master key and leave no copy of the old one", () => {
    const { env, dbPath } = setup();
    const [oldWrapped] = column(dbPath, "SELECT wrapped_key FROM vault_meta");
    const ciphertexts = column(dbPath, "SELECT ciphertext FROM vault_entries ORDER BY 1");
    expect(traces(dbPath, oldWrapped as Uint8Array)).toBe(1); // the check can see it

    const r = coffer(["secret", "passwd"], { env: { ...env, COFFER_NEW_PASSPHRASE: "new pass" } });
    expect(r.code).toBe(0);
    expect(r.stderr).not.toContain("warning");
    expect(traces(dbPath, oldWrapped as Uint8Array)).toBe(0);
    expect(column(dbPath, "SELECT ciphertext FROM vault_entries ORDER BY 1")).toEqual(ciphertexts);

    expect(coffer(["secret", "get", "A"], { env }).code).toBe(4);
    const next = { ...env, COFFER_PASSPHRASE: "new pass" };
    expect(coffer(["secret", "get", "A"], { env: next }).stdout).toBe("alpha-value-2");
    expect(coffer(["secret", "get", "A", "--version", "1"], { env: next }).stdout).toBe(
      "alpha-value",
    );
  });

  it("should require the current passphrase and a new one", () => {
    const { env } = setup();
    const wrong = { ...env, COFFER_PASSPHRASE: "guess", COFFER_NEW_PASSPHRASE: "x" };
    expect(coffer(["secret", "passwd"], { env: wrong }).code).toBe(4);
    const none = coffer(["secret", "passwd"], { env });
    expect(none.code).toBe(4);
    expect(none.stderr).toContain("COFFER_NEW_PASSPHRASE");
    expect(coffer(["secret", "get", "B"], { env }).stdout).toBe("beta-value");
  });

  it("should take the new passphrase from COFFER_NEW_PASSPHRASE_FILE", () => {
    const { dir, env } = setup();
    const file = join(dir, "new-pass");
    writeFileSync(file, "from a file\n");
    const r = coffer(["secret", "passwd"], { env: { ...env, COFFER_NEW_PASSPHRASE_FILE: file } });
    expect(r.code).toBe(0);
    expect(
      coffer(["secret", "get", "B"], { env: { ...env, COFFER_PASSPHRASE: "from a file" } }).stdout,
    ).toBe("beta-value");
  });
});

describe("secret rotate", () => {
  it("should re-encrypt every version under a new master key", () => {
    const { env, dbPath } = setup();
    const [oldWrapped] = column(dbPath, "SELECT wrapped_key FROM vault_meta");
    const before = column(dbPath, "SELECT ciphertext FROM vault_entries");
    const r = coffer(["secret", "rotate", "--json"], { env });
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ reencrypted: 3 });
    expect(traces(dbPath, oldWrapped as Uint8Array)).toBe(0);
    for (const c of before) expect(traces(dbPath, c)).toBe(0);
    expect(coffer(["secret", "get", "A", "--version", "1"], { env }).stdout).toBe("alpha-value");
    expect(coffer(["secret", "get", "B"], { env }).stdout).toBe("beta-value");
  });
});
