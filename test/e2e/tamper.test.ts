// Tampered vault files against the real binary: bits flipped, rows swapped,
// deleted, rolled back or copied from another vault, KDF parameters edited,
// metadata of the wrong type. Each fails closed with 4 or 5, in one line,
// printing no value; entries that were not touched stay readable where safe.

import { Database } from "bun:sqlite";
import { beforeAll, describe, expect, it, setDefaultTimeout } from "bun:test";
import { copyFileSync } from "node:fs";
import { join } from "node:path";
import { coffer, ensureBinary } from "../helpers/binary.ts";
import { BOT, expectRefused, getSecret, OPENAI } from "../helpers/tamper.ts";
import { tempDir } from "../helpers/tmp.ts";
import { cheapConfig, VECTOR_PASSPHRASE, vaultEnv, writeVectorStore } from "../helpers/vault.ts";

// Each test runs the binary (and the KDF) several times.
setDefaultTimeout(30_000);

const pristine = join(tempDir(), "pristine.db");

beforeAll(() => {
  ensureBinary();
  writeVectorStore(pristine);
});

/** A copy of the vector store, edited by `edit` through plain SQL. */
function tampered(edit: (db: Database) => void): Record<string, string | undefined> {
  const dir = tempDir();
  copyFileSync(pristine, join(dir, "coffer.db"));
  cheapConfig(dir);
  const db = new Database(join(dir, "coffer.db"), { strict: true });
  edit(db);
  db.close();
  return vaultEnv(dir, { COFFER_PASSPHRASE: VECTOR_PASSPHRASE });
}

function flipBit(db: Database, table: string, column: string, where: string, at = 0): void {
  const row = db.query(`SELECT ${column} AS v FROM ${table} WHERE ${where}`).get() as {
    v: Uint8Array;
  };
  const bytes = new Uint8Array(row.v);
  const i = at < 0 ? bytes.length + at : at;
  bytes[i] = (bytes[i] as number) ^ 0x01;
  db.query(`UPDATE ${table} SET ${column} = ? WHERE ${where}`).run(bytes);
}

describe("tampered entries", () => {
  it("should refuse a flipped ciphertext bit and still read other entries", () => {
    const env = tampered((db) => flipBit(db, "vault_entries", "ciphertext", OPENAI, 3));
    expectRefused(getSecret(env, "OPENAI_API_KEY"), 5);
    expect(getSecret(env, "BOT_TOKEN", "bot-7f3a").stdout).toBe("xoxb-vector-bot-token");
  });

  it("should refuse a flipped tag bit", () => {
    const env = tampered((db) => flipBit(db, "vault_entries", "ciphertext", OPENAI, -1));
    expectRefused(getSecret(env, "OPENAI_API_KEY"), 5);
  });

  it("should refuse a flipped nonce bit (the entry set no longer matches its digest)", () => {
    const env = tampered((db) => flipBit(db, "vault_entries", "nonce", OPENAI));
    expectRefused(getSecret(env, "OPENAI_API_KEY"), 5);
    expectRefused(getSecret(env, "BOT_TOKEN", "bot-7f3a"), 5);
  });

  it("should refuse two entries' ciphertexts swapped", () => {
    const env = tampered((db) => {
      const a = db.query(`SELECT ciphertext FROM vault_entries WHERE ${OPENAI}`).get() as {
        ciphertext: Uint8Array;
      };
      const b = db.query(`SELECT ciphertext FROM vault_entries WHERE ${BOT}`).get() as {
        ciphertext: Uint8Array;
      };
      db.query(`UPDATE vault_entries SET ciphertext = ? WHERE ${OPENAI}`).run(b.ciphertext);
      db.query(`UPDATE vault_entries SET ciphertext = ? WHERE ${BOT}`).run(a.ciphertext);
    });
    expectRefused(getSecret(env, "OPENAI_API_KEY"), 5);
    expectRefused(getSecret(env, "BOT_TOKEN", "bot-7f3a"), 5);
    expect(getSecret(env, "MULTILINE").code).toBe(0);
  });

  it("should refuse whole rows swapped between names", () => {
    const env = tampered((db) => {
      db.run("UPDATE vault_entries SET name = 'TMP' WHERE name = 'MULTILINE'");
      db.run("UPDATE vault_entries SET name = 'MULTILINE' WHERE name = 'BINARY'");
      db.run("UPDATE vault_entries SET name = 'BINARY' WHERE name = 'TMP'");
    });
    expectRefused(getSecret(env, "MULTILINE"), 5);
  });

  it("should refuse a deleted row", () => {
    const env = tampered((db) => db.run(`DELETE FROM vault_entries WHERE ${BOT}`));
    expectRefused(getSecret(env, "OPENAI_API_KEY"), 5);
    expectRefused(getSecret(env, "BOT_TOKEN", "bot-7f3a"), 5);
  });

  it("should refuse a secret rolled back to its older version", () => {
    const env = tampered((db) => db.run(`DELETE FROM vault_entries WHERE ${OPENAI}`));
    expectRefused(getSecret(env, "OPENAI_API_KEY"), 5);
  });

  it("should refuse an old version's ciphertext copied into the newest row", () => {
    const env = tampered((db) => {
      const old = db
        .query(
          "SELECT nonce, ciphertext FROM vault_entries WHERE name = 'OPENAI_API_KEY' AND version = 1",
        )
        .get() as { nonce: Uint8Array; ciphertext: Uint8Array };
      db.query(`UPDATE vault_entries SET nonce = ?, ciphertext = ? WHERE ${OPENAI}`).run(
        old.nonce,
        old.ciphertext,
      );
    });
    expectRefused(getSecret(env, "OPENAI_API_KEY"), 5);
  });

  it("should refuse entries rolled back under newer metadata", () => {
    const env = tampered(() => {});
    const dbPath = env.COFFER_DB as string;
    const before = `${dbPath}.before`;
    copyFileSync(dbPath, before);
    expect(coffer(["secret", "set", "OPENAI_API_KEY"], { env, stdin: "sk-newer" }).code).toBe(0);
    const db = new Database(dbPath, { strict: true });
    db.run(`ATTACH DATABASE '${before}' AS old`);
    db.run("DELETE FROM vault_entries");
    db.run("INSERT INTO vault_entries SELECT * FROM old.vault_entries");
    db.run("DETACH DATABASE old");
    db.close();
    expectRefused(getSecret(env, "OPENAI_API_KEY"), 5);
  });

  it("should refuse an entry copied from another vault with the same passphrase", () => {
    const other = tempDir();
    cheapConfig(other);
    const otherEnv = vaultEnv(other, { COFFER_PASSPHRASE: VECTOR_PASSPHRASE });
    coffer(["secret", "set", "BOT_TOKEN", "--scope", "bot-7f3a"], {
      env: otherEnv,
      stdin: "xoxb-from-another-vault",
    });
    const env = tampered((db) => {
      db.run(`ATTACH DATABASE '${join(other, "coffer.db")}' AS other`);
      db.run(`DELETE FROM vault_entries WHERE ${BOT}`);
      db.run("INSERT INTO vault_entries SELECT * FROM other.vault_entries");
      db.run("DETACH DATABASE other");
    });
    const r = getSecret(env, "BOT_TOKEN", "bot-7f3a");
    expectRefused(r, 5);
    expect(r.stderr).not.toContain("xoxb-from-another-vault");
  });
});

describe("tampered metadata", () => {
  for (const [what, column] of [
    ["wrapped key", "wrapped_key"],
    ["wrap nonce", "wrap_nonce"],
    ["salt", "kdf_salt"],
    ["vault id", "vault_id"],
  ] as const) {
    it(`should refuse a flipped ${what} bit as a failed unlock (4)`, () => {
      const env = tampered((db) => flipBit(db, "vault_meta", column, "id = 1", 5));
      expectRefused(getSecret(env, "OPENAI_API_KEY"), 4);
    });
  }

  it("should refuse a flipped digest bit (5)", () => {
    const env = tampered((db) => flipBit(db, "vault_meta", "digest", "id = 1"));
    expectRefused(getSecret(env, "OPENAI_API_KEY"), 5);
  });

  it("should refuse a generation counter moved back (5)", () => {
    const env = tampered((db) => db.run("UPDATE vault_meta SET generation = generation - 1"));
    expectRefused(getSecret(env, "OPENAI_API_KEY"), 5);
  });

  it("should refuse KDF parameters lowered below the bounds, before deriving (5)", () => {
    const env = tampered((db) => db.run("UPDATE vault_meta SET kdf_memory_kib = 1024"));
    const r = getSecret(env, "OPENAI_API_KEY");
    expectRefused(r, 5);
    expect(r.stderr).toContain("downgrade");
  });

  it("should refuse absurd KDF parameters without trying them (5)", () => {
    const env = tampered((db) =>
      db.run("UPDATE vault_meta SET kdf_memory_kib = 4194304, kdf_iterations = 1000"),
    );
    expectRefused(getSecret(env, "OPENAI_API_KEY"), 5);
    expect(coffer(["status"], { env }).stdout).toContain("damaged");
  });

  it("should refuse in-bounds KDF parameters that differ from the sealed ones (4)", () => {
    const env = tampered((db) => db.run("UPDATE vault_meta SET kdf_iterations = 3"));
    expectRefused(getSecret(env, "OPENAI_API_KEY"), 4);
  });

  it("should refuse a newer format version and a foreign KDF id (5)", () => {
    expectRefused(
      getSecret(
        tampered((db) => db.run("UPDATE vault_meta SET format_version = 2")),
        "OPENAI_API_KEY",
      ),
      5,
    );
    expectRefused(
      getSecret(
        tampered((db) => db.run("UPDATE vault_meta SET kdf_id = 'scrypt'")),
        "OPENAI_API_KEY",
      ),
      5,
    );
  });

  it("should refuse metadata of the wrong types (5)", () => {
    const env = tampered((db) => {
      // STRICT tables refuse wrong types, so the tamperer rebuilds the table without them.
      db.run("ALTER TABLE vault_meta RENAME TO vault_meta_strict");
      db.run("CREATE TABLE vault_meta AS SELECT * FROM vault_meta_strict");
      db.run("DROP TABLE vault_meta_strict");
      db.run("UPDATE vault_meta SET kdf_memory_kib = 'lots', wrapped_key = 'not a blob'");
    });
    expectRefused(getSecret(env, "OPENAI_API_KEY"), 5);
  });

  it("should refuse a dropped entries table or metadata column (5)", () => {
    expectRefused(
      getSecret(
        tampered((db) => db.run("DROP TABLE vault_entries")),
        "OPENAI_API_KEY",
      ),
      5,
    );
    expectRefused(
      getSecret(
        tampered((db) => db.run("ALTER TABLE vault_meta DROP COLUMN digest")),
        "OPENAI_API_KEY",
      ),
      5,
    );
  });

  it("should refuse a second metadata row (5)", () => {
    const env = tampered((db) => {
      db.run("ALTER TABLE vault_meta RENAME TO vault_meta_strict");
      db.run("CREATE TABLE vault_meta AS SELECT * FROM vault_meta_strict");
      db.run("DROP TABLE vault_meta_strict");
      db.run("INSERT INTO vault_meta SELECT * FROM vault_meta");
    });
    expectRefused(getSecret(env, "OPENAI_API_KEY"), 5);
  });
});
