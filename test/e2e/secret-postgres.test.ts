// The secret commands and `run` on PostgreSQL (COFFER_DB=postgres://…, a fresh
// database) print what they print on a SQLite file, with the same exit codes;
// the URL's password never appears in any output.

import { describe, expect, setDefaultTimeout, test } from "bun:test";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { coffer, type RunResult } from "../helpers/binary.ts";
import { freshDatabase, pgServer } from "../helpers/pg-server.ts";
import { tempDir } from "../helpers/tmp.ts";
import { cheapConfig, vaultEnv } from "../helpers/vault.ts";

setDefaultTimeout(120_000);

const pg = await pgServer();

function mask(text: string): string {
  return text
    .replace(/\/tmp\/coffer-test-\w+/g, "<dir>")
    .replace(/\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z/g, "<time>")
    .replace(/("\w*(At|created|updated)":\s*)("[^"]*"|\d+)/g, "$1<time>");
}

/** Every secret command once (and run); each step's exit code and masked output. */
function script(db: string): { steps: string[]; raw: string } {
  const dir = tempDir();
  cheapConfig(dir, '[secrets]\nPLAIN = "plain-config-value-123"\n');
  writeFileSync(join(dir, "pass"), "first pass\n", { mode: 0o600 });
  writeFileSync(join(dir, "new-pass"), "second pass\n", { mode: 0o600 });
  writeFileSync(join(dir, "wrong"), "not it\n", { mode: 0o600 });
  writeFileSync(join(dir, "in.env"), 'IMPORTED="line one\\nline two"\nOTHER=plain\n');
  const base = vaultEnv(dir, { COFFER_DB: db });
  const env: Record<string, string | undefined> = {
    ...base,
    COFFER_PASSPHRASE_FILE: join(dir, "pass"),
  };
  const steps: string[] = [];
  let raw = "";
  const run = (args: string[], opts: { stdin?: string; env?: typeof env } = {}): RunResult => {
    const r = coffer(args, { env: opts.env ?? env, stdin: opts.stdin });
    raw += r.stdout + r.stderr;
    steps.push(`${mask(args.join(" "))} => ${r.code}\n${mask(r.stdout)}${mask(r.stderr)}`);
    return r;
  };
  run(["secret", "get", "A"], { env: base });
  run(["secret", "list"], { env: base });
  run(["run", "--", "true"], { env: base });
  run(["secret", "set", "A"], { stdin: "sk-alpha-0123456789\n" });
  run(["secret", "set", "A"], { stdin: "sk-alpha-second-9876" });
  run(["secret", "set", "B", "--scope", "bot"], { stdin: "bot-token-value" });
  run(["secret", "get", "A"]);
  run(["secret", "get", "A", "--version", "1"]);
  run(["--json", "secret", "get", "B", "--scope", "bot"]);
  run(["secret", "get", "PLAIN"]);
  run(["secret", "get", "NOPE"]);
  run(["secret", "get", "A"], { env: { ...base, COFFER_PASSPHRASE_FILE: join(dir, "wrong") } });
  run(["secret", "get", "A"], { env: base }); // no passphrase source, no terminal: 4
  run(["secret", "list"]);
  run(["--json", "secret", "list", "--scope", "bot"]);
  run(["secret", "history", "A"]);
  run(["secret", "import", join(dir, "in.env")]);
  run(["secret", "import", "--format", "json", "-"], { stdin: '{"J":"json value"}' });
  run(["secret", "export"]);
  run(["secret", "export", "--format", "json", "--scope", "bot"]);
  run(["run", "--", "sh", "-c", 'printf "%s|%s\\n" "$A" "$IMPORTED"']);
  run(["run", "--no-mask", "--", "sh", "-c", 'printf "%s|%s\\n" "$A" "$IMPORTED"']);
  run(["run", "--only", "A", "--", "sh", "-c", 'echo "other=[$OTHER]"']);
  run(["run", "--only", "NOPE", "--", "true"]);
  run(["run", "--", "sh", "-c", "exit 7"]);
  run(["secret", "rm", "OTHER"]);
  run(["secret", "rm", "OTHER"]);
  run(["--json", "secret", "rotate"]);
  run(["secret", "get", "A"]);
  run(["secret", "passwd"], { env: { ...env, COFFER_NEW_PASSPHRASE_FILE: join(dir, "new-pass") } });
  run(["secret", "get", "A"]);
  run(["secret", "get", "A"], { env: { ...base, COFFER_PASSPHRASE_FILE: join(dir, "new-pass") } });
  run(["--json", "secret", "list"], {
    env: { ...base, COFFER_PASSPHRASE_FILE: join(dir, "new-pass") },
  });
  steps.push(`config now: ${readFileSync(join(dir, "config.toml"), "utf8").includes("PLAIN")}`);
  return { steps, raw };
}

describe.skipIf(!pg)("secret commands on PostgreSQL", () => {
  test("give the same output and exit codes as on a SQLite file", async () => {
    if (!pg) return;
    const sqlite = script(join(tempDir(), "c.db"));
    const db = await freshDatabase(pg, "secret_cli");
    const postgres = script(db.url);
    const text = sqlite.steps.join("\n");
    // The reference really did what it says.
    for (const seen of [
      "secret get A => 3",
      "sk-alpha-second-9876",
      "secret get A --version 1 => 0\nsk-alpha-0123456789",
      "plain-config-value-123",
      "secret get NOPE => 3",
      "coffer: error: wrong passphrase",
      "[redacted]|[redacted]",
      "sk-alpha-second-9876|line one\nline two",
      "other=[]",
      "exit 7 => 7",
      "secret rm OTHER => 3",
      '"rotated": true',
      "passphrase changed",
      "config now: false",
    ]) {
      expect(text).toContain(seen);
    }
    expect(text.match(/secret get A => 4\n/g)?.length).toBe(3);
    for (let i = 0; i < sqlite.steps.length; i++) {
      expect(postgres.steps[i], `step ${i}`).toBe(sqlite.steps[i] as string);
    }
    expect(postgres.steps.length).toBe(sqlite.steps.length);
    expect(postgres.raw).not.toContain(pg.password);
  });

  test("an unreachable server is exit 7 for secret commands, without the password", () => {
    const dir = tempDir();
    cheapConfig(dir);
    const env = vaultEnv(dir, {
      COFFER_DB: "postgres://u:sekrit-pw@127.0.0.1:1/x",
      COFFER_PASSPHRASE: "pw",
    });
    for (const args of [
      ["secret", "get", "A"],
      ["secret", "set", "A"],
      ["run", "--", "true"],
    ]) {
      const r = coffer(args, { env, stdin: "v" });
      expect(r.code).toBe(7);
      expect(r.stderr).toStartWith("coffer: error: ");
      expect(r.stderr + r.stdout).not.toContain("sekrit-pw");
    }
  });
});
