// SIGKILL of `agent rm` and `session fork` against PostgreSQL: the server
// rolls back what the killed client had not committed, so each store holds all
// of it or none of it, and its vault still unlocks with a matching digest.
// Each round runs on a fresh copy (CREATE DATABASE … TEMPLATE) of one seeded store.

import { describe, expect, test } from "bun:test";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { SQL } from "bun";
import { connect, createVault, unlockVault } from "../../src/index.ts";
import { ensureBinary, runKilledAfter } from "../helpers/binary.ts";
import { freshDatabase, type PgServer, pgServer } from "../helpers/pg-server.ts";
import { tempDir } from "../helpers/tmp.ts";

const pg = await pgServer();
const MESSAGES = 60_000;
const ROUNDS = 6;
const PASSPHRASE = "crash test passphrase";
const CHEAP = { memoryKiB: 19456, iterations: 2, parallelism: 1 };

async function seed(url: string): Promise<void> {
  const client = await connect(url);
  try {
    await client.agents.create({ slug: "bot" });
    await client.documents.put("bot", "soul", "be kind");
    await client.sessions.create({ id: "big", agent: "bot" });
    await client.sessions.create({ id: "other" });
    const vault = await createVault(client, PASSPHRASE, CHEAP);
    const v = new TextEncoder().encode("v");
    await vault.setMany([
      { name: "A", scope: "bot", value: v },
      { name: "B", value: v },
    ]);
    vault.lock();
  } finally {
    await client.close();
  }
  const sql = new SQL(url, { max: 1 });
  try {
    await sql.unsafe(`SET search_path = coffer;
      INSERT INTO messages (session_id, role, content, created_at)
      SELECT 'big', 'user', 'message ' || j || ' about foxes', j FROM generate_series(1, ${MESSAGES}) j`);
  } finally {
    await sql.close();
  }
}

async function counts(url: string) {
  const client = await connect(url);
  try {
    (await unlockVault(client, PASSPHRASE)).lock();
    const inspect = await client.vault.inspect();
    return {
      agents: (await client.agents.list()).length,
      sessions: await client.sessions.count(),
      messages: await client.messages.count(),
      secrets: inspect.present ? inspect.entries : -1,
    };
  } finally {
    await client.close();
  }
}

async function copyOf(server: PgServer, template: string, name: string): Promise<string> {
  const admin = new SQL(server.url, { max: 1 });
  try {
    await admin.unsafe(`CREATE DATABASE "${name}" TEMPLATE "${template}"`);
  } finally {
    await admin.close();
  }
  return server.url.replace(/\/[^/?]+$/, `/${name}`);
}

describe.skipIf(!pg)("a killed agent-model command on PostgreSQL", () => {
  test("agent rm and session fork leave all or nothing", async () => {
    if (!pg) return;
    ensureBinary();
    const template = await freshDatabase(pg, "crashtmpl");
    await seed(template.url);
    const pass = join(tempDir(), "pass");
    writeFileSync(pass, PASSPHRASE, { mode: 0o600 });
    const before = await counts(template.url);
    expect(before).toEqual({ agents: 1, sessions: 2, messages: MESSAGES, secrets: 2 });
    const cases: [string[], typeof before][] = [
      [
        ["agent", "rm", "bot", "--yes", "--passphrase-file", pass],
        { agents: 0, sessions: 1, messages: 0, secrets: 1 },
      ],
      [["session", "fork", "big"], { ...before, sessions: 3, messages: 2 * MESSAGES }],
    ];
    for (const [c, [args, after]] of cases.entries()) {
      const probe = await copyOf(pg, template.database, `${template.database}_p${c}`);
      const full = await runKilledAfter(probe, args, null);
      expect(await counts(probe)).toEqual(after);
      const outcomes: string[] = [];
      for (let i = 0; i < ROUNDS; i++) {
        const db = await copyOf(pg, template.database, `${template.database}_${c}_${i}`);
        const r = await runKilledAfter(db, args, full.ms * (0.4 + (1.0 * i) / ROUNDS));
        const seen = await counts(db);
        const none = JSON.stringify(seen) === JSON.stringify(before);
        if (!none) expect(seen).toEqual(after);
        outcomes.push(`${r.killed ? "killed" : "finished"}:${none ? "none" : "all"}`);
      }
      expect(outcomes).toContain("killed:none");
    }
  }, 120_000);
});
