// SIGKILL in the middle of `agent rm` and of `session fork`: each is one
// transaction, so the store afterwards holds all of it or none of it, and its
// full-text index still agrees with its messages.

import { Database } from "bun:sqlite";
import { describe, expect, test } from "bun:test";
import { copyFileSync } from "node:fs";
import { join } from "node:path";
import { openStore } from "../../src/index.ts";
import { BINARY, baseEnv, ensureBinary } from "../helpers/binary.ts";
import { tempDir } from "../helpers/tmp.ts";

/** Enough rows that the transaction takes a few hundred ms: a kill lands inside it. */
const MESSAGES = 40_000;
const ROUNDS = 6;

/** A store with agent bot: 4 sessions sharing MESSAGES messages, a document; session big holds half. */
function prepare(): string {
  const path = join(tempDir(), "template.db");
  using store = openStore({ path });
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
  return path;
}

async function runFor(db: string, args: string[], killAfterMs: number | null) {
  const started = performance.now();
  const proc = Bun.spawn([BINARY, ...args], {
    env: baseEnv({ COFFER_DB: db }),
    stdin: "ignore",
    stdout: "ignore",
    stderr: "pipe",
  });
  if (killAfterMs !== null) {
    await Bun.sleep(killAfterMs);
    proc.kill("SIGKILL");
  }
  await proc.exited;
  return { killed: proc.signalCode === "SIGKILL", ms: performance.now() - started };
}

type Counts = ReturnType<typeof counts>;

function counts(path: string) {
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
    };
  } finally {
    db.close();
  }
}

describe("a killed agent-model command", () => {
  const template = prepare();

  async function rounds(args: string[], before: Counts, after: Counts) {
    ensureBinary();
    const probe = join(tempDir(), "probe.db");
    copyFileSync(template, probe);
    const full = await runFor(probe, args, null);
    expect(counts(probe)).toEqual(after);
    const outcomes: string[] = [];
    for (let i = 0; i < ROUNDS; i++) {
      const db = join(tempDir(), `round${i}.db`);
      copyFileSync(template, db);
      const r = await runFor(db, args, full.ms * (0.3 + (0.6 * i) / ROUNDS));
      const seen = counts(db);
      const outcome = JSON.stringify(seen) === JSON.stringify(before) ? "none" : "all";
      if (outcome === "all") expect(seen).toEqual(after);
      outcomes.push(`${r.killed ? "killed" : "finished"}:${outcome}`);
    }
    // Some kills landed before the commit, and those left nothing behind.
    expect(outcomes).toContain("killed:none");
  }

  test("agent rm leaves the agent with everything it owns, or none of it", async () => {
    const before = counts(template);
    expect(before.messages).toBe(MESSAGES + 1);
    const after = { agents: 0, documents: 0, sessions: 1, messages: 1, indexed: 0 };
    await rounds(["agent", "rm", "bot", "--yes"], before, after);
  }, 120_000);

  test("session fork leaves a whole copy, or no copy", async () => {
    const before = counts(template);
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
