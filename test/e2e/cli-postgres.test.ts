// The queue and session commands on PostgreSQL (COFFER_DB=postgres://…) print
// what they print on a SQLite file; what PostgreSQL lacks yet, or may not reach, is refused.

import { describe, expect, test } from "bun:test";
import { join } from "node:path";
import { parsePostgresUrl } from "../../src/engines/postgres/url.ts";
import { connect } from "../../src/index.ts";
import { coffer, type RunResult } from "../helpers/binary.ts";
import { freshDatabase, pgServer } from "../helpers/pg-server.ts";
import { tempDir } from "../helpers/tmp.ts";

const pg = await pgServer();

/** Clock readings and lease tokens differ between any two runs: masked. */
function mask(text: string): string {
  return text
    .replace(/\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z/g, "<time>")
    .replace(/("\w*(At|lockedUntil)":\s*)\d+/g, "$1<ms>")
    .replace(/("leaseToken":\s*)"[^"]*"/g, '$1"<token>"')
    .replace(/("next":\s*)"[^"]+"/g, '$1"<cursor>"')
    .replace(/--after [A-Za-z0-9_-]+/g, "--after <cursor>")
    .replace(/--token [0-9a-f]{32}/g, "--token <token>");
}

/** One script of queue and session commands; returns each step's exit code and masked output. */
async function script(db: string): Promise<string[]> {
  const client = await connect(db);
  try {
    await client.sessions.create({ id: "s1", channel: "cli", userId: "ann" });
    await client.messages.append("s1", { role: "user", content: "hello\nthere" });
    await client.messages.append("s1", { role: "assistant", content: "hi" });
    await client.sessions.create({ id: "s2", channel: "web", metadata: { k: 1 } });
  } finally {
    await client.close();
  }
  const env = { COFFER_DB: db };
  const steps: string[] = [];
  const run = (...args: string[]): RunResult => {
    const r = coffer(args, { env });
    steps.push(`${mask(args.join(" "))} => ${r.code}\n${mask(r.stdout)}${mask(r.stderr)}`);
    return r;
  };
  run("queue", "push", "jobs", '{"n":1}');
  run("queue", "push", "jobs", '{"n":2}', "--priority", "5");
  run("queue", "push", "jobs", '{"n":3}', "--max-attempts", "1", "--dedupe-key", "k3");
  run("queue", "push", "jobs", '{"n":9}', "--dedupe-key", "k3");
  const first = JSON.parse(run("queue", "pop", "jobs").stdout);
  run("queue", "extend", String(first.id), "--lease", "60000", "--token", first.leaseToken);
  run("queue", "ack", String(first.id), "--token", "wrong");
  run("--json", "queue", "ack", String(first.id), "--token", first.leaseToken);
  const second = JSON.parse(run("queue", "pop", "jobs").stdout);
  run("queue", "fail", String(second.id), "--error", "boom", "--retry-in", "600000");
  const third = JSON.parse(run("queue", "pop", "jobs", "--lease", "1000").stdout);
  run("--json", "queue", "fail", String(third.id), "--error", "bad");
  run("queue", "list", "jobs");
  run("--json", "queue", "list", "jobs", "--status", "failed");
  run("queue", "stats");
  run("--json", "queue", "stats", "jobs");
  run("queue", "retry", "--all", "jobs");
  run("queue", "retry", String(third.id));
  run("queue", "pop", "empty");
  run("queue", "ack", "999");
  run("queue", "purge", "--older-than", "0");
  run("--json", "queue", "list", "jobs");
  run("session", "list");
  run("--json", "session", "list", "--limit", "1");
  run("session", "show", "s1");
  run("session", "show", "s1", "--last", "1");
  run("--json", "session", "show", "s2");
  run("session", "rm", "s2");
  run("session", "show", "s2");
  run("session", "list");
  return steps;
}

describe.skipIf(!pg)("queue and session commands on PostgreSQL", () => {
  test("give the same output and exit codes as on a SQLite file", async () => {
    if (!pg) return;
    const sqlite = await script(join(tempDir(), "c.db"));
    const postgres = await script((await freshDatabase(pg, "cli")).url);
    // The script really did what it says on SQLite before it is the reference.
    const text = sqlite.join("\n");
    for (const seen of ["queue pop empty => 3", "boom", "[<time>] user:", "deleted session s2"]) {
      expect(text).toContain(seen);
    }
    expect(text).toContain("session show s2 => 3");
    expect(text).toContain(`"status": "failed"`);
    expect(text).toContain("retried 1 failed jobs of jobs");
    for (let i = 0; i < sqlite.length; i++) expect(postgres[i]).toBe(sqlite[i] as string);
    expect(postgres.length).toBe(sqlite.length);
  });
});

describe("PostgreSQL refusals from the CLI", () => {
  test("an unreachable server is exit 7 and the password is not printed", () => {
    const r = coffer(["queue", "list", "jobs"], {
      env: { COFFER_DB: "postgres://u:pw@127.0.0.1:1/x" },
    });
    expect(r.code).toBe(7);
    expect(r.stderr).toStartWith("coffer: error: ");
    expect(r.stderr).not.toContain("pw");
    expect(r.stdout).toBe("");
  });

  test("a plaintext URL to another host is refused with exit 2 before connecting", () => {
    const url = "postgres://u:pw@db.example.com/x?sslmode=disable";
    // In-process first: only run the binary while parsing really refuses it (no lookup, no connect).
    expect(() => parsePostgresUrl(url)).toThrow();
    const r = coffer(["queue", "list", "jobs"], { env: { COFFER_DB: url } });
    expect(r.code).toBe(2);
    expect(r.stderr).toStartWith("coffer: error: ");
    expect(r.stderr).not.toContain("pw");
  });
});
