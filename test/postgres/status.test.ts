// `coffer status` on both engines holding the same vector vault: the vault
// is reported alike (one inspection, vault/inspect.ts), the shared fields
// have the same names, and a damaged vault is exit 5 with the same words.

import { Database } from "bun:sqlite";
import { afterAll, describe, expect, test } from "bun:test";
import { copyFileSync } from "node:fs";
import { join } from "node:path";
import type { SQL } from "bun";
import { coffer, type RunResult } from "../helpers/binary.ts";
import { pgServer } from "../helpers/pg-server.ts";
import { pgVaultDb } from "../helpers/pg-vault.ts";
import { tempDir } from "../helpers/tmp.ts";
import { cheapConfig, vaultEnv, writeVectorStore } from "../helpers/vault.ts";

const pg = await pgServer();
const pristine = join(tempDir(), "pristine.db");
writeVectorStore(pristine);

const open: SQL[] = [];
afterAll(async () => {
  for (const sql of open.splice(0)) await sql.close();
});

/** The vector vault on each engine, each edited by the same SQL. */
async function bothEngines(edit?: string) {
  if (!pg) throw new Error("no server");
  const dir = tempDir();
  copyFileSync(pristine, join(dir, "coffer.db"));
  cheapConfig(dir);
  if (edit) {
    const db = new Database(join(dir, "coffer.db"));
    db.run(edit);
    db.close();
  }
  const onPg = await pgVaultDb(pg, "status");
  open.push(onPg.sql);
  if (edit) await onPg.sql.unsafe(edit);
  return { lite: vaultEnv(dir), pg: onPg.env };
}

function status(env: Record<string, string | undefined>, json: boolean): RunResult {
  return coffer(json ? ["--json", "status"] : ["status"], { env });
}

const vaultLine = (r: RunResult) => r.stdout.split("\n").find((l) => l.startsWith("vault:"));

describe.skipIf(!pg)("status on SQLite and PostgreSQL", () => {
  test("the same vault report, field names and human lines", async () => {
    const env = await bothEngines();
    const [lite, onPg] = [status(env.lite, true), status(env.pg, true)];
    expect(lite.code).toBe(0);
    expect(onPg.code).toBe(0);
    const a = JSON.parse(lite.stdout);
    const b = JSON.parse(onPg.stdout);
    expect(b.vault).toEqual(a.vault);
    expect(a.vault).toMatchObject({ present: true, formatVersion: 1 });
    expect(b.counts).toEqual(a.counts);
    expect(b.schemaVersion).toBe(a.schemaVersion);
    expect(a.engine).toBe("sqlite");
    expect(b.engine).toBe("postgres");
    // Where the store is: a file path on one, the redacted URL on the other.
    expect(b.path).toStartWith("postgres://");
    expect(b.path).toContain(":***@");
    expect(Object.keys(b).sort()).toEqual(
      ["counts", "engine", "path", "schema", "schemaVersion", "serverVersion", "vault"].sort(),
    );
    expect(Object.keys(a).sort()).toEqual(
      [
        "counts",
        "engine",
        "journalMode",
        "path",
        "quickCheck",
        "schemaVersion",
        "sizeBytes",
        "vault",
      ].sort(),
    );

    const [humanLite, humanPg] = [status(env.lite, false), status(env.pg, false)];
    expect(vaultLine(humanPg)).toBe(vaultLine(humanLite) as string);
    const labels = (r: RunResult) => r.stdout.split("\n").map((l) => l.split(":")[0]);
    for (const label of ["engine", "path", "schema", "sessions", "messages", "jobs", "vault"]) {
      expect(labels(humanLite)).toContain(label);
      expect(labels(humanPg)).toContain(label);
    }
  });

  test("a damaged vault: exit 5 on both, the same problem reported", async () => {
    const env = await bothEngines(
      "UPDATE vault_meta SET kdf_memory_kib = 4194304, kdf_iterations = 1000",
    );
    const [lite, onPg] = [status(env.lite, true), status(env.pg, true)];
    expect(lite.code).toBe(5);
    expect(onPg.code).toBe(5);
    const problem = JSON.parse(lite.stdout).vault.problem;
    expect(problem).toBeString();
    expect(JSON.parse(onPg.stdout).vault).toEqual({ present: true, problem });
    expect(onPg.stderr).toBe(lite.stderr);
  });

  test("a dropped entries table: still a report, exit 5 on both", async () => {
    const env = await bothEngines("DROP TABLE vault_entries");
    for (const e of [env.lite, env.pg]) {
      const r = status(e, false);
      expect(r.code).toBe(5);
      expect(vaultLine(r)).toStartWith("vault:         damaged: ");
      expect(r.stderr).toStartWith("coffer: error: the vault is damaged");
    }
  });
});
