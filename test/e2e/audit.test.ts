// The audit trail: every secret read and write from the CLI (and through
// serve: test/e2e/serve-secrets.test.ts) is a hash-chained row, never a value;
// `coffer audit --verify` finds an edited, deleted or reordered row (exit 5).

import { Database } from "bun:sqlite";
import { describe, expect, test } from "bun:test";
import { copyFileSync } from "node:fs";
import { join } from "node:path";
import { connect } from "../../src/index.ts";
import { coffer } from "../helpers/binary.ts";
import { freshDatabase, pgServer } from "../helpers/pg-server.ts";
import { tempDir } from "../helpers/tmp.ts";
import { cheapConfig, vaultEnv } from "../helpers/vault.ts";

const pg = await pgServer();
const VALUE = "sk-live-audit-value-5e3f9a";

/** A store with a few audited operations, and its environment. */
function usedStore(): { dir: string; db: string; env: Record<string, string | undefined> } {
  const dir = tempDir("coffer-audit-");
  cheapConfig(dir);
  const env = vaultEnv(dir, { COFFER_PASSPHRASE: "correct horse" });
  expect(coffer(["secret", "set", "API"], { env, stdin: VALUE }).code).toBe(0);
  expect(coffer(["secret", "get", "API"], { env }).stdout).toBe(VALUE);
  expect(
    coffer(["secret", "get", "API"], { env: { ...env, COFFER_PASSPHRASE: "wrong" } }).code,
  ).toBe(4);
  expect(coffer(["secret", "get", "NOPE"], { env }).code).toBe(3);
  expect(coffer(["secret", "list"], { env }).code).toBe(0);
  expect(coffer(["secret", "rm", "API"], { env }).code).toBe(0);
  return { dir, db: join(dir, "coffer.db"), env };
}

function tampered(db: string, sql: string): string {
  const copy = `${db}.${Math.random().toString(36).slice(2)}.db`;
  copyFileSync(db, copy);
  const raw = new Database(copy);
  raw.run("DROP TRIGGER audit_no_update");
  raw.run("DROP TRIGGER audit_no_delete");
  raw.run(sql);
  raw.close();
  return copy;
}

describe("coffer audit", () => {
  test("lists every secret command with its outcome and verifies the chain", () => {
    const { env } = usedStore();
    const list = coffer(["--json", "audit"], { env });
    expect(list.code).toBe(0);
    const rows = JSON.parse(list.stdout) as {
      action: string;
      outcome: string;
      actor: string;
      version: number | null;
    }[];
    expect(rows.map((r) => `${r.action}:${r.outcome}`)).toEqual([
      "set:ok",
      "get:ok",
      "get:denied",
      "get:not_found",
      "list:ok",
      "rm:ok",
    ]);
    expect(rows.every((r) => r.actor === "cli")).toBe(true);
    expect(rows[1]?.version).toBe(1);
    const verify = coffer(["audit", "--verify"], { env });
    expect(verify.code).toBe(0);
    expect(verify.stdout).toMatch(/^audit trail intact: 6 row\(s\), head [0-9a-f]{64}\n$/);
    expect(coffer(["audit", "--limit", "2", "--json"], { env }).stdout).toContain('"rm"');
  });

  test("never holds a value, in the table or in its output", () => {
    const { db, env } = usedStore();
    const raw = new Database(db, { readonly: true });
    const dump = JSON.stringify(raw.query("SELECT * FROM audit").all());
    raw.close();
    expect(dump).not.toContain(VALUE);
    expect(dump).not.toContain("correct horse");
    expect(coffer(["--json", "audit"], { env }).stdout).not.toContain(VALUE);
  });

  test("finds an edited, a deleted and a reordered row: exit 5 naming the row", () => {
    const { db, env } = usedStore();
    const cases: [string, RegExp][] = [
      [
        "UPDATE audit SET outcome = 'ok' WHERE id = 3",
        /broken at row 3: its contents do not match/,
      ],
      ["UPDATE audit SET name = 'OTHER' WHERE id = 2", /broken at row 2/],
      ["DELETE FROM audit WHERE id = 4", /broken at row 5: row 4 is missing/],
      [
        "UPDATE audit SET id = id + 100 WHERE id IN (2, 3); UPDATE audit SET id = 5 - (id - 100) WHERE id > 100",
        /broken at row 2/,
      ],
    ];
    for (const [sql, message] of cases) {
      const copy = tampered(db, sql);
      const r = coffer(["--db", copy, "audit", "--verify"], { env });
      expect(r.code, sql).toBe(5);
      expect(r.stderr, sql).toMatch(message);
      expect(r.stderr.split("\n")[0]).toMatch(
        /^coffer: error: the audit trail is broken at row \d+/,
      );
    }
    // The untouched store still verifies.
    expect(coffer(["--db", db, "audit", "--verify"], { env }).code).toBe(0);
  });

  test("refuses updates and deletes through SQL while the triggers stand", () => {
    const { db } = usedStore();
    const raw = new Database(db);
    expect(() => raw.run("UPDATE audit SET outcome = 'ok'")).toThrow(/append-only/);
    expect(() => raw.run("DELETE FROM audit")).toThrow(/append-only/);
    raw.close();
  });

  test.skipIf(!pg)(
    "on PostgreSQL: appends chain, coffer audit --verify finds an edit (exit 5)",
    async () => {
      if (!pg) return;
      const db = await freshDatabase(pg, "audit");
      const client = await connect(db.url);
      try {
        await Promise.all(
          Array.from({ length: 20 }, (_, i) =>
            client.audit.append({
              actor: `k${i % 3}`,
              action: "get",
              scope: "global",
              name: "A",
              outcome: "ok",
            }),
          ),
        );
        expect(await client.audit.verify()).toMatchObject({ ok: true, rows: 20 });
        expect(coffer(["--db", db.url, "audit", "--verify"]).code).toBe(0);
        const { SQL } = await import("bun");
        const admin = new SQL(db.url, { max: 1 });
        // Append-only: no update, no trimming (a restore may only empty it whole).
        expect(
          admin.unsafe("SET search_path = coffer; UPDATE audit SET actor = 'x'"),
        ).rejects.toThrow(/append-only/);
        expect(
          admin.unsafe("SET search_path = coffer; DELETE FROM audit WHERE id = 3"),
        ).rejects.toThrow(/append-only/);
        await admin.unsafe(
          "SET search_path = coffer; ALTER TABLE audit DISABLE TRIGGER audit_no_update; UPDATE audit SET actor = 'x' WHERE id = 7",
        );
        await admin.close();
        const r = coffer(["--db", db.url, "audit", "--verify"]);
        expect(r.code).toBe(5);
        expect(r.stderr).toContain("broken at row 7");
      } finally {
        await client.close();
      }
    },
  );
});
