// The vault through client.vault: one script, run unchanged on SQLite and on a
// real PostgreSQL, gives the same results on both (clock readings by shape).

import { describe, expect, test } from "bun:test";
import { join } from "node:path";
import { connect } from "../../src/index.ts";
import { freshDatabase, pgServer } from "../helpers/pg-server.ts";
import { tempDir } from "../helpers/tmp.ts";
import { vaultScript } from "../helpers/vault-script.ts";

const pg = await pgServer();

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
