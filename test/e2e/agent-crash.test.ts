// SIGKILL in the middle of `agent rm` and of `session fork`: each is one
// transaction, so the store afterwards holds all of it or none of it (the
// agent's secrets included), its vault still unlocks with a digest that
// matches, and its full-text index still agrees with its messages.

import { Database } from "bun:sqlite";
import { beforeAll, describe, expect, test } from "bun:test";
import { copyFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { createVault, openStore, unlockVault } from "../../src/index.ts";
import { ensureBinary, runKilledAfter } from "../helpers/binary.ts";
import { tempDir } from "../helpers/tmp.ts";

/** Enough rows that the transaction takes a few hundred ms: a kill lands inside it. */
const MESSAGES = 40_000;
const ROUNDS = 8;

const PASSPHRASE = "crash test passphrase";
/** The cheapest parameters the CLI accepts: the killed binary unlocks with them. */
const CHEAP = { memoryKiB: 19456, iterations: 2, parallelism: 1 };

/**
 * A store with agent bot: 4 sessions sharing MESSAGES messages, a document,
 * two secrets in its scope and one outside it; session big holds half the messages.
 */
async function prepare(): Promise<{ path: string; passFile: string }> {
  const dir = tempDir();
  const path = join(dir, "template.db");
  const passFile = join(dir, "pass");
  writeFileSync(passFile, PASSPHRASE, { mode: 0o600 });
  using store = openStore({ path });
  const vault = await createVault(store, PASSPHRASE, CHEAP);
  await vault.setMany([
    { name: "A", scope: "bot", value: new TextEncoder().encode("a") },
    { name: "B", scope: "bot", value: new TextEncoder().encode("b") },
    { name: "C", value: new TextEncoder().encode("c") },
  ]);
  vault.lock();
  store.agents.create({ slug: "bot" });
  store.documents.put("bot", "soul", "be kind");
  store.sessions.create({ id: "other" });
  store.messages.append("other", { role: "user", content: "not the agent's" });
  for (let s = 0; s < 4; s++)
    store.sessions.create({ id: s === 0 ? "big" : `s${s}`, agent: "bot" });
  store.write(() => {
    const insert = store.db.query(
      "INSERT INTO messages (session_id, role, content, created_at) VALUES (?, 'user', ?, 1)",
    );
    for (let i = 0; i < MESSAGES; i++) {
      const session = i % 2 === 0 ? "big" : `s${1 + (i % 3)}`;
      insert.run(session, `message ${i} about foxes and dogs number ${i % 97}`);
    }
  });
  return { path, passFile };
}

type Counts = Awaited<ReturnType<typeof counts>>;

async function counts(path: string) {
  {
    // The vault's digest and generation agree with its entries, whatever the kill left.
    using store = openStore({ path });
    (await unlockVault(store, PASSPHRASE)).lock();
  }
  const db = new Database(path);
  try {
    expect(db.query("PRAGMA integrity_check").all()).toEqual([{ integrity_check: "ok" }]);
    // FTS5's own check: the index holds exactly the messages' content.
    db.run("INSERT INTO messages_fts (messages_fts) VALUES ('integrity-check')");
    const n = (sql: string) => (db.query(sql).get() as { n: number }).n;
    return {
      agents: n("SELECT count(*) AS n FROM agents"),
      documents: n("SELECT count(*) AS n FROM documents"),
      sessions: n("SELECT count(*) AS n FROM sessions"),
      messages: n("SELECT count(*) AS n FROM messages"),
      indexed: n("SELECT count(*) AS n FROM messages_fts WHERE messages_fts MATCH 'foxes'"),
      secrets: n("SELECT count(*) AS n FROM vault_entries"),
    };
  } finally {
    db.close();
  }
}

describe("a killed agent-model command", () => {
  let template = "";
  let passFile = "";
  beforeAll(async () => {
    ({ path: template, passFile } = await prepare());
  });

  async function rounds(args: string[], before: Counts, after: Counts) {
    ensureBinary();
    const probe = join(tempDir(), "probe.db");
    copyFileSync(template, probe);
    const full = await runKilledAfter(probe, args, null);
    expect(await counts(probe)).toEqual(after);
    const outcomes: string[] = [];
    for (let i = 0; i < ROUNDS; i++) {
      const db = join(tempDir(), `round${i}.db`);
      copyFileSync(template, db);
      const r = await runKilledAfter(db, args, full.ms * (0.5 + (1.1 * i) / ROUNDS));
      const seen = await counts(db);
      const outcome = JSON.stringify(seen) === JSON.stringify(before) ? "none" : "all";
      if (outcome === "all") expect(seen).toEqual(after);
      outcomes.push(`${r.killed ? "killed" : "finished"}:${outcome}`);
    }
    // Some kills landed before the commit, and those left nothing behind.
    expect(outcomes).toContain("killed:none");
  }

  test("agent rm leaves the agent with everything it owns, or none of it", async () => {
    const before = await counts(template);
    expect(before.messages).toBe(MESSAGES + 1);
    const after = { agents: 0, documents: 0, sessions: 1, messages: 1, indexed: 0, secrets: 1 };
    await rounds(["agent", "rm", "bot", "--yes", "--passphrase-file", passFile], before, after);
  }, 120_000);

  test("session fork leaves a whole copy, or no copy", async () => {
    const before = await counts(template);
    const half = MESSAGES / 2;
    const after = {
      ...before,
      sessions: before.sessions + 1,
      messages: before.messages + half,
      indexed: before.indexed + half,
    };
    await rounds(["session", "fork", "big"], before, after);
  }, 120_000);
});
