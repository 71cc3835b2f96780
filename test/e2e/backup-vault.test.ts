// The vault travels inside a backup, still encrypted: verify checks its rows
// and, given a passphrase, proves it unlocks; a restored store serves its secrets.

import { Database } from "bun:sqlite";
import { describe, expect, it } from "bun:test";
import { copyFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { coffer } from "../helpers/binary.ts";
import { bytesOf, contains } from "../helpers/stores.ts";
import { tempDir } from "../helpers/tmp.ts";
import { VECTOR_PASSPHRASE, vector, writeVectorStore } from "../helpers/vault.ts";

function setup() {
  const dir = tempDir();
  const store = join(dir, "coffer.db");
  writeVectorStore(store);
  const backup = join(dir, "b.db");
  expect(coffer(["--db", store, "backup", backup]).code).toBe(0);
  const passfile = join(dir, "pass");
  writeFileSync(passfile, `${VECTOR_PASSPHRASE}\n`);
  return { dir, store, backup, passfile };
}

const plain = (hex: string) => Buffer.from(hex, "hex").toString("latin1");

describe("backups with a vault", () => {
  it("should carry the vault encrypted: no secret value in the backup's bytes", () => {
    const { backup } = setup();
    const bytes = bytesOf(backup);
    for (const e of vector.expected) {
      expect(contains(bytes, Buffer.from(e.value_hex, "hex"))).toBe(false);
    }
  });

  it("should report the vault and prove it unlocks with --passphrase-file", () => {
    const { backup, passfile } = setup();
    const plainVerify = coffer(["verify", backup]);
    expect(plainVerify.code).toBe(0);
    expect(plainVerify.stdout).toMatch(/^ok\s+vault\s+\d+ secret\(s\)/m);
    expect(plainVerify.stdout).not.toMatch(/vault unlock/);
    const r = coffer(["verify", backup, "--passphrase-file", passfile]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^ok\s+vault unlock\s+unlocked/m);
  });

  it("should exit 4 when the passphrase does not unlock the backup's vault", () => {
    const { dir, backup } = setup();
    writeFileSync(join(dir, "wrong"), "not the passphrase\n");
    const r = coffer(["verify", backup, "--passphrase-file", join(dir, "wrong")]);
    expect(r.code).toBe(4);
    expect(r.stdout).toMatch(/^FAIL\s+vault unlock/m);
    expect(r.stderr).not.toContain("not the passphrase");
  });

  it("should refuse a backup whose vault metadata is malformed, leaving the store as it was", () => {
    const { dir, store, backup } = setup();
    const bad = join(dir, "bad-vault.db");
    copyFileSync(backup, bad);
    const db = new Database(bad);
    db.run("UPDATE vault_meta SET kdf_iterations = 1");
    db.close();
    expect(coffer(["verify", bad]).code).toBe(5);
    const before = bytesOf(store);
    const r = coffer(["--db", store, "restore", bad, "--yes"]);
    expect(r.code).toBe(5);
    expect(r.stderr).toMatch(/vault/);
    expect(bytesOf(store).equals(before)).toBe(true);
  });

  it("should serve the vault's secrets from a restored store", () => {
    const { dir, backup, passfile } = setup();
    const restored = join(dir, "restored", "coffer.db");
    expect(coffer(["--db", restored, "restore", backup, "--yes"]).code).toBe(0);
    const r = coffer([
      "--db",
      restored,
      "secret",
      "get",
      "OPENAI_API_KEY",
      "--passphrase-file",
      passfile,
    ]);
    expect(r.code).toBe(0);
    const latest = vector.expected.filter((e) => e.name === "OPENAI_API_KEY").at(-1);
    expect(r.stdout).toBe(plain(latest?.value_hex ?? ""));
  });
});
