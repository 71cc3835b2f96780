// Issue 7, output and run: protected environment names, signal exit codes,
// redaction rules (short values, whole words, before storage), control
// characters escaped in human output, name errors that never echo a value,
// and a failing stderr that does not crash the command.

import { beforeAll, describe, expect, it, setDefaultTimeout } from "bun:test";
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { constants } from "node:os";
import { join } from "node:path";
import { openStore } from "../../src/store/store.ts";
import { BINARY, baseEnv, coffer, ensureBinary } from "../helpers/binary.ts";
import { tempDir } from "../helpers/tmp.ts";
import { cheapConfig, vaultEnv } from "../helpers/vault.ts";

// Each test runs the binary (and the KDF) several times.
setDefaultTimeout(60_000);

const dir = tempDir();
const env = vaultEnv(dir, { COFFER_PASSPHRASE: "hardening pass" });
const TOKEN = "ghp_abcdefghijklmnopqrstuvwxyz0123";
const ESC = "\u001b";
const BEL = "\u0007";

/** Runs the binary under `sh -c` so the test can redirect its descriptors. */
function shell(script: string, stdin = ""): { code: number; trace: string } {
  const r = Bun.spawnSync(["sh", "-c", script], {
    env: baseEnv({ ...env, COFFER: BINARY }),
    stdin: Buffer.from(stdin),
    stdout: "pipe",
    stderr: "pipe",
  });
  return { code: r.exitCode ?? -1, trace: r.stderr.toString() };
}

/** `env` output as a map (values here have no newlines). */
function envOf(text: string): Record<string, string> {
  return Object.fromEntries(
    text
      .split("\n")
      .filter((l) => l.includes("="))
      .map((l) => [l.slice(0, l.indexOf("=")), l.slice(l.indexOf("=") + 1)]),
  );
}

beforeAll(() => {
  ensureBinary();
  cheapConfig(dir);
  expect(coffer(["secret", "set", "FIRST"], { env, stdin: "first-value-0001" }).code).toBe(0);
});

describe("coffer run and protected names", () => {
  const evil = join(dir, "evil-bin");
  const marker = join(dir, "planted-sh-ran");
  const scope = ["--scope", "hostile"];

  beforeAll(() => {
    mkdirSync(evil);
    writeFileSync(join(evil, "sh"), `#!/bin/sh\ntouch ${marker}\n`);
    chmodSync(join(evil, "sh"), 0o755);
    const dotenv = [
      `PATH=${evil}`,
      "LD_PRELOAD=/nonexistent/evil-preload.so",
      `BASH_ENV=${join(dir, "evil-rc")}`,
      "NODE_OPTIONS=--require=/nonexistent/evil.js",
      "COFFER_DB=/nonexistent/other.db",
      "APP_TOKEN=app-canary-value-1",
      "",
    ].join("\n");
    const r = coffer(["secret", "import", "-", ...scope], { env, stdin: dotenv });
    expect(r.code).toBe(0);
    // import warns, by name only.
    expect(r.stderr).toContain(
      "coffer: warning: PATH, LD_PRELOAD, BASH_ENV, NODE_OPTIONS, COFFER_DB: protected names",
    );
    expect(r.stderr).not.toContain(evil);
    expect(r.stderr).not.toContain("nonexistent");
  });

  it("should never let a secret set PATH, the loader, start-up hooks or COFFER_*", () => {
    // `sh` is looked up on PATH: a planted one would run.
    const r = coffer(["run", "--no-mask", ...scope, "--", "sh", "-c", "env"], { env });
    expect(existsSync(marker)).toBe(false);
    expect(r.code).toBe(0);
    const seen = envOf(r.stdout);
    expect(seen.PATH).toBe(baseEnv().PATH);
    expect(seen.COFFER_DB).toBe(env.COFFER_DB);
    expect(seen.APP_TOKEN).toBe("app-canary-value-1");
    for (const name of ["LD_PRELOAD", "BASH_ENV", "NODE_OPTIONS"])
      expect(seen[name]).toBeUndefined();
    expect(r.stderr).toContain("coffer: warning: not setting");
    for (const name of ["PATH", "LD_PRELOAD", "BASH_ENV", "NODE_OPTIONS", "COFFER_DB"]) {
      expect(r.stderr).toContain(name);
    }
    expect(r.stderr).not.toContain(evil);
    expect(r.stderr).not.toContain("nonexistent");
  });

  it("should set a protected name the user lists in --allow-env, and only that one", () => {
    const r = coffer(
      ["run", "--no-mask", ...scope, "--allow-env", "PATH,NODE_OPTIONS", "--", "/usr/bin/env"],
      { env },
    );
    expect(r.code).toBe(0);
    const seen = envOf(r.stdout);
    expect(seen.PATH).toBe(evil);
    expect(seen.NODE_OPTIONS).toBe("--require=/nonexistent/evil.js");
    expect(seen.LD_PRELOAD).toBeUndefined();
    expect(existsSync(marker)).toBe(false);
  });

  it("should warn when secret set stores a protected name", () => {
    const r = coffer(["secret", "set", "LD_AUDIT", ...scope], { env, stdin: "/x/audit.so" });
    expect(r.code).toBe(0);
    expect(r.stderr).toContain("coffer: warning: LD_AUDIT: a protected name");
    expect(r.stderr).not.toContain("audit.so");
  });
});

describe("coffer run and signals", () => {
  it("should exit 128 + the number of the signal that killed the child", () => {
    for (const signal of ["SEGV", "ABRT", "PIPE", "QUIT", "USR1", "USR2", "TERM", "KILL"]) {
      const r = coffer(["run", "--scope", "empty", "--", "sh", "-c", `kill -${signal} $$`], {
        env,
      });
      const number = (constants.signals as Record<string, number>)[`SIG${signal}`];
      expect({ signal, code: r.code }).toEqual({ signal, code: 128 + (number ?? 0) });
    }
  });
});

describe("redaction rules", () => {
  beforeAll(() => {
    for (const [name, value] of [
      ["ONE", "h"],
      ["WORD", "after"],
    ] as const) {
      expect(coffer(["secret", "set", name, "--scope", "short"], { env, stdin: value }).code).toBe(
        0,
      );
    }
  });

  it("should never mask a value under 4 characters, and a short word only as a whole word", () => {
    const r = coffer(
      ["run", "--scope", "short", "--", "sh", "-c", 'echo "/home/path after_free after."'],
      { env },
    );
    expect(r.code).toBe(0);
    expect(r.stdout).toBe("/home/path after_free [redacted].\n");
  });

  it("should store a job's last error redacted and its payload exactly", () => {
    const push = coffer(["queue", "push", "redact-q", JSON.stringify({ token: TOKEN })], { env });
    expect(push.code).toBe(0);
    const pop = coffer(["queue", "pop", "redact-q"], { env });
    expect(JSON.parse(pop.stdout).payload).toEqual({ token: TOKEN });
    const id = push.stdout.trim();
    expect(coffer(["queue", "fail", id, "--error", `upstream: ${TOKEN}`], { env }).code).toBe(0);
    const listed = coffer(["--json", "queue", "list", "redact-q"], { env });
    expect(JSON.parse(listed.stdout)[0].lastError).toBe("upstream: [redacted]");
    using store = openStore({ path: env.COFFER_DB as string });
    const raw = store.db.query("SELECT last_error FROM jobs WHERE id = ?").get(Number(id));
    expect(raw).toEqual({ last_error: "upstream: [redacted]" });
  });

  it("should redact and escape messages in human output, and keep --json exact", () => {
    {
      using store = openStore({ path: env.COFFER_DB as string, redact: (t) => t });
      store.sessions.create({ id: "raw-session" });
      store.messages.append("raw-session", {
        role: "tool",
        content: `line one ${TOKEN}\nline two ${ESC}]0;pwned${BEL}`,
      });
    }
    const human = coffer(["session", "show", "raw-session"], { env });
    expect(human.code).toBe(0);
    expect(human.stdout).toContain(`line one [redacted]\nline two \\x1b]0;pwned\\x07\n`);
    expect(human.stdout).not.toContain(ESC);
    const json = coffer(["--json", "session", "show", "raw-session"], { env });
    expect(JSON.parse(json.stdout).messages[0].content).toContain(TOKEN);
  });
});

describe("control characters", () => {
  it("should escape a value's control characters in secret list, and keep get exact", () => {
    const value = `abcdefghijklmnop${ESC}]0;pwned${BEL}`;
    const set = coffer(["secret", "set", "--raw", "BELL", "--scope", "ctl"], { env, stdin: value });
    expect(set.code).toBe(0);
    const list = coffer(["secret", "list", "--scope", "ctl"], { env });
    expect(list.code).toBe(0);
    expect(list.stdout).not.toContain(ESC);
    expect(list.stdout).not.toContain(BEL);
    expect(list.stdout).toContain("\\x07");
    const get = coffer(["secret", "get", "BELL", "--scope", "ctl"], { env });
    expect(get.stdout).toBe(value);
  });

  it("should escape a name with ESC in an error", () => {
    const r = coffer(["secret", "get", `bad${ESC}[31mname`], { env });
    expect(r.code).toBe(2);
    expect(r.stderr).not.toContain(ESC);
    expect(r.stderr).toContain("invalid secret name 'bad\\x1b[31mname'");
  });

  it("should refuse a queue name with a control character, and show old ones on one line", () => {
    const r = coffer(["queue", "push", "bad\nname", "{}"], { env });
    expect(r.code).toBe(2);
    expect(r.stderr).toStartWith("coffer: error: queue name must not contain control characters");
    expect(r.stderr.trimEnd().split("\n")).toHaveLength(1);
    {
      // A store written before the check: the row goes in directly.
      using store = openStore({ path: env.COFFER_DB as string });
      store.db
        .query(
          `INSERT INTO jobs (queue, payload, run_at, created_at, updated_at)
           VALUES (?, '{}', 0, 0, 0)`,
        )
        .run(`old\nq${ESC}[2J`);
    }
    const stats = coffer(["queue", "stats"], { env });
    expect(stats.code).toBe(0);
    expect(stats.stdout).not.toContain(ESC);
    expect(stats.stdout).toContain("old\\nq\\x1b[2J");
    expect(stats.stdout.split("\n").filter((l) => l.startsWith("old"))).toHaveLength(1);
  });
});

describe("name errors", () => {
  it("should never echo what follows = in a name", () => {
    const set = coffer(["secret", "set", "k2=hunter2-secret-value"], { env, stdin: "x" });
    expect(set.code).toBe(2);
    expect(set.stderr).toContain("invalid secret name 'k2=…'");
    expect(set.stderr).not.toContain("hunter2");
    const run = coffer(["run", "--only", "A=topsecret-value", "--", "true"], { env });
    expect(run.code).toBe(2);
    expect(run.stderr).not.toContain("topsecret");
  });
});

describe("a failing stderr", () => {
  it("should not crash a command whose work is done, and keep its exit code", () => {
    const traceFile = join(dir, "stderr-full.trace");
    const haveStrace = Bun.which("strace") !== null;
    if (!haveStrace) console.log("note: strace missing; checking exit codes only");
    const prefix = haveStrace ? `strace -f -qq -e trace=write -o ${traceFile} ` : "";
    const set = shell(`${prefix}"$COFFER" secret set AFTER_FULL 2>/dev/full`, "stored-anyway");
    expect(set.code).toBe(0);
    if (haveStrace) {
      // Nothing like a stack or a crash banner was even attempted.
      const trace = readFileSync(traceFile, "utf8");
      expect(trace).not.toContain("Bun v");
      expect(trace).not.toContain("applyHandlers");
    }
    expect(coffer(["secret", "get", "AFTER_FULL"], { env }).stdout).toBe("stored-anyway");
    expect(shell('"$COFFER" secret get NO_SUCH_SECRET 2>/dev/full').code).toBe(3);
    expect(shell('"$COFFER" queue push q2 "{not json" 2>/dev/full').code).toBe(2);
  });
});

describe("a failing stdout", () => {
  it("should be exit 7 with one line for a full disk, and quiet for a reader gone", () => {
    // --version writes without node:fs, the rest through it: both fail the same way.
    for (const args of ["--version", "--version --json", "queue stats"]) {
      const full = shell(`"$COFFER" ${args} >/dev/full`);
      expect(full.code).toBe(7);
      expect(full.trace).toBe("coffer: error: write to stdout: ENOSPC\n");
      // A reader that exits without reading (EPIPE, or no write needed) is no error of coffer's.
      const gone = shell(`("$COFFER" ${args}; echo "rc=$?" >&2) | true`);
      expect(gone.trace).toBe("rc=0\n");
    }
  });
});
