// The tamper cases of test/e2e/tamper.test.ts on PostgreSQL rows, edited with
// plain SQL: each fails closed at the binary with 5 (or 4 where the SQLite
// suite says so), in one line, no value printed, and no vault row changed.

import { afterEach, describe, expect, setDefaultTimeout, test } from "bun:test";
import type { SQL } from "bun";
import { coffer } from "../helpers/binary.ts";
import { pgServer } from "../helpers/pg-server.ts";
import { pgVaultDb, pgVaultDump } from "../helpers/pg-vault.ts";
import { BOT, expectRefused, getSecret, OPENAI } from "../helpers/tamper.ts";

setDefaultTimeout(60_000);

const pg = await pgServer();

const open: SQL[] = [];
afterEach(async () => {
  for (const sql of open.splice(0)) await sql.close();
});

/** A database holding the vector vault, edited by `edit`; returns the binary's env. */
async function tampered(edit: (sql: SQL) => Promise<unknown>, prefix = "tamper") {
  if (!pg) throw new Error("no server");
  const db = await pgVaultDb(pg, prefix);
  open.push(db.sql);
  await edit(db.sql);
  return db;
}

function flip(table: string, column: string, where: string, at: number | "last" = 0): string {
  const i = at === "last" ? `length(${column}) - 1` : String(at);
  return `UPDATE ${table} SET ${column} = set_byte(${column}, ${i}, get_byte(${column}, ${i}) # 1) WHERE ${where}`;
}

/** `get NAME` refused with `code`, then (for a digest failure) `set` refused too; no row changed. */
async function refusedUnchanged(
  db: { sql: SQL; env: Record<string, string | undefined> },
  code: 4 | 5,
  name = "OPENAI_API_KEY",
  scope = "global",
  alsoSet = true,
): Promise<void> {
  const before = await pgVaultDump(db.sql);
  expectRefused(getSecret(db.env, name, scope), code);
  if (alsoSet) {
    expectRefused(coffer(["secret", "set", "NEW_ONE"], { env: db.env, stdin: "v" }), code);
  }
  expect(await pgVaultDump(db.sql)).toBe(before);
}

describe.skipIf(!pg)("tampered vault rows on PostgreSQL", () => {
  test("the untouched vector vault opens (the fixture is right)", async () => {
    const db = await tampered(async () => {});
    const r = getSecret(db.env, "BOT_TOKEN", "bot-7f3a");
    expect(r.stderr).toBe("");
    expect(r.stdout).toBe("xoxb-vector-bot-token");
  });

  test("a flipped ciphertext or tag byte: that entry refused, the others still read", async () => {
    for (const at of [3, "last"] as const) {
      const db = await tampered((sql) =>
        sql.unsafe(flip("vault_entries", "ciphertext", OPENAI, at)),
      );
      await refusedUnchanged(db, 5, "OPENAI_API_KEY", "global", false);
      expect(getSecret(db.env, "BOT_TOKEN", "bot-7f3a").stdout).toBe("xoxb-vector-bot-token");
    }
  });

  test("a flipped nonce byte breaks the entry-set digest", async () => {
    const db = await tampered((sql) => sql.unsafe(flip("vault_entries", "nonce", OPENAI)));
    await refusedUnchanged(db, 5, "BOT_TOKEN", "bot-7f3a");
  });

  test("two entries' ciphertexts swapped", async () => {
    const db = await tampered(async (sql) => {
      const [a] = await sql.unsafe(`SELECT ciphertext FROM vault_entries WHERE ${OPENAI}`);
      const [b] = await sql.unsafe(`SELECT ciphertext FROM vault_entries WHERE ${BOT}`);
      await sql.unsafe(`UPDATE vault_entries SET ciphertext = $1 WHERE ${OPENAI}`, [b.ciphertext]);
      await sql.unsafe(`UPDATE vault_entries SET ciphertext = $1 WHERE ${BOT}`, [a.ciphertext]);
    });
    await refusedUnchanged(db, 5, "OPENAI_API_KEY", "global", false);
    expectRefused(getSecret(db.env, "BOT_TOKEN", "bot-7f3a"), 5);
    expect(getSecret(db.env, "MULTILINE").code).toBe(0);
  });

  test("a deleted entry, and a secret rolled back to its older version", async () => {
    await refusedUnchanged(
      await tampered((sql) => sql.unsafe(`DELETE FROM vault_entries WHERE ${BOT}`)),
      5,
    );
    await refusedUnchanged(
      await tampered((sql) => sql.unsafe(`DELETE FROM vault_entries WHERE ${OPENAI}`)),
      5,
    );
  });

  test("entries rolled back under newer metadata, and metadata rolled back under newer entries", async () => {
    const older = async (db: { sql: SQL; env: Record<string, string | undefined> }) => {
      const copy = {
        meta: await db.sql`SELECT * FROM vault_meta`,
        entries: await db.sql`SELECT * FROM vault_entries`,
      };
      const r = coffer(["secret", "set", "OPENAI_API_KEY"], { env: db.env, stdin: "sk-newer" });
      expect(r.code).toBe(0);
      return copy;
    };
    const db = await tampered(async () => {});
    const old = await older(db);
    await db.sql.begin(async (tx) => {
      await tx`DELETE FROM vault_entries`;
      for (const r of old.entries) await tx`INSERT INTO vault_entries ${tx(r)}`;
    });
    await refusedUnchanged(db, 5);
    const db2 = await tampered(async () => {}, "tamper2");
    const old2 = await older(db2);
    await db2.sql.begin(async (tx) => {
      await tx`DELETE FROM vault_meta`;
      for (const r of old2.meta) await tx`INSERT INTO vault_meta ${tx(r)}`;
    });
    await refusedUnchanged(db2, 5);
  });

  test("an entry copied from another vault with the same passphrase", async () => {
    const other = await tampered(
      (sql) => sql`DELETE FROM vault_entries`.then(() => sql`DELETE FROM vault_meta`),
      "tamper_other",
    );
    expect(
      coffer(["secret", "set", "BOT_TOKEN", "--scope", "bot-7f3a"], {
        env: other.env,
        stdin: "xoxb-from-another-vault",
      }).code,
    ).toBe(0);
    const [foreign] = await other.sql`SELECT * FROM vault_entries`;
    const db = await tampered(async (sql) => {
      await sql.unsafe(`DELETE FROM vault_entries WHERE ${BOT}`);
      await sql`INSERT INTO vault_entries ${sql(foreign)}`;
    });
    const before = await pgVaultDump(db.sql);
    const r = getSecret(db.env, "BOT_TOKEN", "bot-7f3a");
    expectRefused(r, 5);
    expect(r.stderr).not.toContain("xoxb-from-another-vault");
    expect(await pgVaultDump(db.sql)).toBe(before);
  });

  test("flipped wrapped key, wrap nonce, salt or vault id: a failed unlock (4)", async () => {
    for (const column of ["wrapped_key", "wrap_nonce", "kdf_salt", "vault_id"]) {
      await refusedUnchanged(
        await tampered((sql) => sql.unsafe(flip("vault_meta", column, "id = 1", 5))),
        4,
      );
    }
  });

  test("a flipped digest byte, or the generation moved back (5)", async () => {
    await refusedUnchanged(
      await tampered((sql) => sql.unsafe(flip("vault_meta", "digest", "id = 1"))),
      5,
    );
    await refusedUnchanged(
      await tampered((sql) => sql`UPDATE vault_meta SET generation = generation - 1`),
      5,
    );
  });

  test("KDF parameters changed: below or far above the bounds 5, in bounds but not the sealed ones 4", async () => {
    const low = await tampered((sql) => sql`UPDATE vault_meta SET kdf_memory_kib = 1024`);
    const r = getSecret(low.env, "OPENAI_API_KEY");
    expectRefused(r, 5);
    expect(r.stderr).toContain("downgrade");
    await refusedUnchanged(low, 5);
    await refusedUnchanged(
      await tampered(
        (sql) => sql`UPDATE vault_meta SET kdf_memory_kib = 4194304, kdf_iterations = 1000`,
      ),
      5,
    );
    await refusedUnchanged(
      await tampered((sql) => sql`UPDATE vault_meta SET kdf_iterations = 3`),
      4,
    );
  });

  test("a newer format version, a foreign KDF id, a second metadata row, a dropped table or column (5)", async () => {
    await refusedUnchanged(
      await tampered((sql) => sql`UPDATE vault_meta SET format_version = 2`),
      5,
    );
    await refusedUnchanged(
      await tampered((sql) => sql`UPDATE vault_meta SET kdf_id = 'scrypt'`),
      5,
    );
    await refusedUnchanged(
      await tampered(async (sql) => {
        await sql`ALTER TABLE vault_meta DROP CONSTRAINT vault_meta_pkey`;
        await sql`INSERT INTO vault_meta SELECT * FROM vault_meta`;
      }),
      5,
    );
    const dropped = await tampered((sql) => sql`ALTER TABLE vault_meta DROP COLUMN digest`);
    expectRefused(getSecret(dropped.env, "OPENAI_API_KEY"), 5);
    const noEntries = await tampered((sql) => sql`DROP TABLE vault_entries`);
    expectRefused(getSecret(noEntries.env, "OPENAI_API_KEY"), 5);
  });
});
