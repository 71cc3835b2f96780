// The vault through client.vault: one script, run unchanged on SQLite and on a
// real PostgreSQL, gives the same results on both (clock readings by shape).

import { Database } from "bun:sqlite";
import { describe, expect, test } from "bun:test";
import { join } from "node:path";
import { SQL } from "bun";
import { connect } from "../../src/index.ts";
import { TEST_ONLY_KDF_BOUNDS, TEST_ONLY_KDF_PARAMS } from "../../src/vault/testing.ts";
import { freshDatabase, pgServer } from "../helpers/pg-server.ts";
import { tempDir } from "../helpers/tmp.ts";
import { vaultScript } from "../helpers/vault-script.ts";

const pg = await pgServer();
const opts = { kdfBounds: TEST_ONLY_KDF_BOUNDS };
const bytes = (s: string) => new TextEncoder().encode(s);
const text = (b: Uint8Array) => new TextDecoder().decode(b);

function shape(value: unknown, key = ""): unknown {
  if (Array.isArray(value)) return value.map((v) => shape(v));
  if (value && typeof value === "object") {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, shape(v, k)]));
  }
  if (key === "createdAt") return typeof value === "number" && value > 1.6e12 ? "time" : value;
  return value;
}

async function run(target: string): Promise<unknown[]> {
  const client = await connect(target);
  try {
    return shape(await vaultScript(client)) as unknown[];
  } finally {
    await client.close();
  }
}

describe("the vault through the Client", () => {
  test("does every vault operation on SQLite as the library promises", async () => {
    const steps = await run(join(tempDir(), "v.db"));
    const text = JSON.stringify(steps);
    expect(steps[0]).toBe(false);
    expect(steps[1]).toEqual({ present: false });
    for (const seen of [
      '"error":"NotFoundError","message":"no vault yet"',
      '"error":"AuthError"',
      '"error":"BusyError"',
      '"error":"UsageError"',
      '"value":"a2"',
      '"value":"a1"',
      '"generationStep":1',
      '"value":"after passwd"',
    ]) {
      expect(text).toContain(seen);
    }
    const history = steps.find(
      (s) => Array.isArray(s) && s.length === 10 && (s[0] as { name?: string }).name === "K",
    ) as { version: number }[];
    expect(history.map((h) => h.version)).toEqual([3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
  });

  test.skipIf(!pg)("gives the same results on SQLite and PostgreSQL", async () => {
    if (!pg) return;
    const sqlite = await run(join(tempDir(), "v.db"));
    const postgres = await run((await freshDatabase(pg, "conf_vault")).url);
    expect(postgres.length).toBe(sqlite.length);
    for (let i = 0; i < sqlite.length; i++) expect(postgres[i], `step ${i}`).toEqual(sqlite[i]);
  });
});

/** Makes the engine refuse any entry named BOOM, mid-transaction. */
async function refuseBoom(target: string, pgUrl?: string): Promise<void> {
  if (pgUrl) {
    const sql = new SQL(pgUrl, { max: 1 });
    await sql.unsafe(`
      CREATE FUNCTION coffer.boom() RETURNS trigger LANGUAGE plpgsql AS
        $$ BEGIN IF NEW.name = 'BOOM' THEN RAISE EXCEPTION 'boom'; END IF; RETURN NEW; END $$;
      CREATE TRIGGER boom BEFORE INSERT ON coffer.vault_entries
        FOR EACH ROW EXECUTE FUNCTION coffer.boom();`);
    await sql.close();
    return;
  }
  const db = new Database(target);
  db.run(`CREATE TRIGGER boom BEFORE INSERT ON vault_entries WHEN NEW.name = 'BOOM'
    BEGIN SELECT RAISE(ABORT, 'boom'); END`);
  db.close();
}

async function failedMidway(target: string, pgUrl?: string): Promise<unknown> {
  const client = await connect(target);
  try {
    const vault = await client.vault.create("pw", TEST_ONLY_KDF_PARAMS, opts);
    await vault.set("A", bytes("a1"));
    await refuseBoom(target, pgUrl);
    const before = await client.vault.inspect(opts);
    const failed = await vault
      .setMany([
        { name: "A", value: bytes("a2") },
        { name: "B", value: bytes("b") },
        { name: "BOOM", value: bytes("x") },
      ])
      .then(
        () => "stored",
        () => "refused",
      );
    const again = await client.vault.unlock("pw", opts);
    return {
      failed,
      same: JSON.stringify(await client.vault.inspect(opts)) === JSON.stringify(before),
      current: (await again.current()).map((s) => [s.name, s.version, text(s.value)]),
      stillWrites: await again.set("C", bytes("c")),
    };
  } finally {
    await client.close();
  }
}

describe("setMany", () => {
  const want = { failed: "refused", same: true, current: [["A", 1, "a1"]], stillWrites: 1 };

  test("stores all or nothing when the engine fails mid-transaction (SQLite)", async () => {
    expect(await failedMidway(join(tempDir(), "v.db"))).toEqual(want);
  });

  test.skipIf(!pg)(
    "stores all or nothing when the engine fails mid-transaction (PostgreSQL)",
    async () => {
      if (!pg) return;
      const db = await freshDatabase(pg, "conf_vault_tx");
      expect(await failedMidway(db.url, db.url)).toEqual(want);
    },
  );
});
