// coffer key create / list / rm: a key printed once, only its hash kept, the
// rules grammar checked, refusals with the exit codes of SPEC §7.

import { Database } from "bun:sqlite";
import { describe, expect, test } from "bun:test";
import { join } from "node:path";
import { hashKey } from "../../src/state/keys/rules.ts";
import { coffer } from "../helpers/binary.ts";
import { tempDir } from "../helpers/tmp.ts";

describe("coffer key", () => {
  test("create prints the key once; list never shows it; only the SHA-256 is stored", () => {
    const db = join(tempDir(), "k.db");
    const made = coffer([
      "--db",
      db,
      "key",
      "create",
      "agent",
      "--allow",
      "sessions,queue:mail",
      "--expires",
      "7d",
    ]);
    expect(made.code).toBe(0);
    const key = made.stdout.trim();
    expect(key).toMatch(/^cfk_[A-Za-z0-9_-]{43}$/);
    const list = coffer(["--db", db, "--json", "key", "list"]);
    const rows = JSON.parse(list.stdout) as Record<string, unknown>[];
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ name: "agent", rules: ["sessions", "queue:mail"] });
    expect((rows[0]?.expiresAt as number) - (rows[0]?.createdAt as number)).toBe(7 * 86_400_000);
    expect(list.stdout).not.toContain(key.slice(4));
    expect(list.stdout).not.toContain(hashKey(key));
    const raw = new Database(db, { readonly: true });
    const stored = JSON.stringify(raw.query("SELECT * FROM api_keys").all());
    raw.close();
    expect(stored).toContain(hashKey(key));
    expect(stored).not.toContain(key.slice(4));
    const human = coffer(["--db", db, "key", "list"]);
    expect(human.stdout).toMatch(
      /^NAME\s+RULES\s+CREATED\s+LAST USED\s+EXPIRES\nagent\s+sessions,queue:mail\s/,
    );
  });

  test("refuses a bad rule, a bad name, a taken name (exit 2) and removing a missing key (exit 3)", () => {
    const db = join(tempDir(), "k.db");
    const bad = coffer(["--db", db, "key", "create", "a", "--allow", "sessions,root"]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/^coffer: error: unknown key rule 'root'\ncoffer: hint: rules: /);
    expect(coffer(["--db", db, "key", "create", "a b"]).code).toBe(2);
    expect(coffer(["--db", db, "key", "create", "a", "--expires", "soon"]).code).toBe(2);
    expect(coffer(["--db", db, "key", "create", "a"]).code).toBe(0);
    const taken = coffer(["--db", db, "key", "create", "a"]);
    expect(taken.code).toBe(2);
    expect(taken.stdout).toBe("");
    expect(coffer(["--db", db, "key", "rm", "a"]).code).toBe(0);
    const gone = coffer(["--db", db, "key", "rm", "a"]);
    expect(gone.code).toBe(3);
    expect(gone.stderr).toBe("coffer: error: no key named a\n");
  });
});
