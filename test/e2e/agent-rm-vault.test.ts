// `agent rm` with secrets in the agent's scope, on SQLite and PostgreSQL: the
// agent, its documents, sessions, messages and secrets go in one transaction,
// the vault still verifies (digest and generation updated in it), and without
// the passphrase nothing changes.

import { describe, expect, test } from "bun:test";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { connect } from "../../src/index.ts";
import { coffer } from "../helpers/binary.ts";
import { freshDatabase, pgServer } from "../helpers/pg-server.ts";
import { tempDir } from "../helpers/tmp.ts";
import { cheapConfig, vaultEnv } from "../helpers/vault.ts";

const pg = await pgServer();

async function targets(dir: string): Promise<string[]> {
  const list = [join(dir, "coffer.db")];
  if (pg) list.push((await freshDatabase(pg, "agentrm")).url);
  return list;
}

async function snapshot(db: string) {
  const client = await connect(db);
  try {
    const inspect = await client.vault.inspect();
    return {
      agents: (await client.agents.list()).length,
      sessions: await client.sessions.count(),
      messages: await client.messages.count(),
      generation: inspect.present ? inspect.generation : -1,
      secrets: inspect.present ? inspect.entries : -1,
    };
  } finally {
    await client.close();
  }
}

describe("agent rm of an agent with secrets", () => {
  test("removes everything of the agent in one go, the vault still verifying; refused without the passphrase", async () => {
    const dir = tempDir();
    cheapConfig(dir);
    const pass = join(dir, "pass");
    writeFileSync(pass, "correct horse", { mode: 0o600 });
    const wrong = join(dir, "wrong");
    writeFileSync(wrong, "wrong horse", { mode: 0o600 });
    for (const db of await targets(dir)) {
      const env = vaultEnv(dir, { COFFER_DB: db });
      const run = (args: string[], stdin?: string) =>
        coffer(args, { env, ...(stdin === undefined ? {} : { stdin }) });
      const ok = (args: string[], stdin?: string) => {
        const r = run(args, stdin);
        expect(r.stderr.includes("error") ? r.stderr : r.code).toBe(0);
        return r.stdout.trim();
      };
      ok(["agent", "create", "bot"]);
      ok(["agent", "create", "keep"]);
      ok(["doc", "put", "bot", "soul", "-"], "x");
      const s = ok(["session", "new", "--agent", "bot"]);
      ok(["message", "add", s, "--role", "user", "hi"]);
      ok(["session", "new", "--agent", "keep"]);
      for (const [name, scope] of [
        ["A", "bot"],
        ["B", "bot"],
        ["C", "keep"],
        ["D", "global"],
      ]) {
        ok(
          ["secret", "set", name as string, "--scope", scope as string, "--passphrase-file", pass],
          "v",
        );
      }
      ok(["secret", "set", "A", "--scope", "bot", "--passphrase-file", pass], "v2");
      const before = await snapshot(db);
      expect(before).toMatchObject({ agents: 2, sessions: 2, messages: 1, secrets: 4 });

      const locked = run(["agent", "rm", "bot", "--yes"]);
      expect(locked.code).toBe(4);
      expect(locked.stderr.split("\n")[0]).toStartWith("coffer: error: ");
      const bad = run(["agent", "rm", "bot", "--yes", "--passphrase-file", wrong]);
      expect(bad.code).toBe(4);
      expect(await snapshot(db)).toEqual(before);

      const r = JSON.parse(
        ok(["--json", "agent", "rm", "bot", "--yes", "--passphrase-file", pass]),
      );
      expect(r).toEqual({ slug: "bot", sessions: 1, messages: 1, documents: 1, secrets: 2 });
      expect(await snapshot(db)).toEqual({
        agents: 1,
        sessions: 1,
        messages: 0,
        generation: before.generation + 1,
        secrets: 2,
      });
      const list = JSON.parse(ok(["--json", "secret", "list", "--passphrase-file", pass]));
      expect(list.map((x: { name: string }) => x.name).sort()).toEqual(["C", "D"]);
      if (!db.startsWith("postgres")) {
        expect(run(["verify", db, "--passphrase-file", pass]).code).toBe(0);
      }
      // An agent without secrets needs no passphrase.
      expect(run(["agent", "rm", "keep", "--yes"]).code).toBe(4);
      ok(["secret", "rm", "C", "--scope", "keep", "--passphrase-file", pass]);
      expect(run(["agent", "rm", "keep", "--yes"]).code).toBe(0);
    }
  }, 60_000);
});
