// Secrets never leak: every command, failing ones included, run with canary
// values; stdout (except where a value is the data asked for), stderr, the
// child environment of run and the processes' argv are searched for them.

import { beforeAll, describe, expect, it, setDefaultTimeout } from "bun:test";
import { existsSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { BINARY, baseEnv, coffer, ensureBinary } from "../helpers/binary.ts";
import { tempDir } from "../helpers/tmp.ts";
import { cheapConfig, vaultEnv } from "../helpers/vault.ts";

// Each test runs the binary (and the KDF) several times.
setDefaultTimeout(30_000);

const VALUE = "canary-value-9f8e7d6c5b4a";
const TOKEN = "sk-canaryABCDEFGHIJKLMNOP1234";
const PASS = "canary-pass-1a2b3c";
const NEW_PASS = "canary-new-pass-4d5e6f";
const CANARIES = [VALUE, TOKEN, PASS, NEW_PASS];

const dir = tempDir();
const env = vaultEnv(dir, { COFFER_PASSPHRASE: PASS });
const wrong = { ...env, COFFER_PASSPHRASE: "not it" };

beforeAll(() => {
  ensureBinary();
  cheapConfig(dir);
  expect(coffer(["secret", "set", "VALUE"], { env, stdin: VALUE }).code).toBe(0);
  expect(coffer(["secret", "set", "TOKEN"], { env, stdin: TOKEN }).code).toBe(0);
});

function expectClean(text: string, where: string): void {
  for (const c of CANARIES) {
    if (text.includes(c)) throw new Error(`${where} contains the canary ${c.slice(0, 10)}…`);
  }
}

describe("no secret leaks", () => {
  it("should keep values and passphrases out of stderr and non-data stdout", () => {
    const badEnv = join(dir, "bad.env");
    writeFileSync(badEnv, `GOOD=1\n${VALUE} ${TOKEN}\n`);
    const runs: [string[], Record<string, string | undefined>, boolean][] = [
      [["secret", "list"], env, true],
      [["secret", "list", "--json"], env, true],
      [["secret", "history", "VALUE"], env, true],
      [["secret", "history", "VALUE", "--json"], env, true],
      [["secret", "get", "VALUE"], wrong, true],
      [["secret", "get", "MISSING"], env, true],
      [["secret", "rm", "MISSING"], env, true],
      [["secret", "list"], wrong, true],
      [["secret", "import", badEnv], env, true],
      [["secret", "import", badEnv, "--format", "json"], env, true],
      [["secret", "set", "bad name"], env, true],
      [["secret", "export"], wrong, true],
      [["secret", "export"], env, false],
      [["secret", "get", "VALUE"], env, false],
      [["run", "--", "sh", "-c", 'echo "$VALUE $TOKEN" >&2; echo "$VALUE"'], env, true],
      [["run", "--only", "MISSING", "--", "true"], env, true],
      [["status"], env, true],
      [["status", "--json"], env, true],
      [["secret", "rotate"], env, true],
      [["secret", "passwd"], { ...env, COFFER_NEW_PASSPHRASE: NEW_PASS }, true],
      [
        ["secret", "passwd"],
        { ...env, COFFER_PASSPHRASE: NEW_PASS, COFFER_NEW_PASSPHRASE: PASS },
        true,
      ],
    ];
    for (const [args, runEnv, stdoutIsClean] of runs) {
      const r = coffer(args, { env: runEnv, stdin: "" });
      expectClean(r.stderr, `stderr of ${args.join(" ")}`);
      if (stdoutIsClean) expectClean(r.stdout, `stdout of ${args.join(" ")}`);
    }
  }, 60_000);

  it("should keep the passphrase variables out of run's child", () => {
    const passFile = join(dir, "pass");
    writeFileSync(passFile, PASS);
    const r = coffer(["run", "--no-mask", "--", "env"], {
      env: { ...env, COFFER_NEW_PASSPHRASE: NEW_PASS, COFFER_PASSPHRASE_FILE: passFile },
    });
    expect(r.stdout).toContain(`VALUE=${VALUE}`);
    expect(r.stdout).not.toContain(PASS);
    expect(r.stdout).not.toContain(NEW_PASS);
    expect(r.stdout).not.toContain("COFFER_PASSPHRASE");
  });

  it("should keep secrets out of every process's argv", async () => {
    const proc = Bun.spawn([BINARY, "run", "--", "sleep", "2"], {
      env: baseEnv(env),
      stdout: "pipe",
      stderr: "pipe",
    });
    await Bun.sleep(800);
    const pids = [proc.pid, ...children(proc.pid)];
    for (const pid of pids) {
      const cmdline = readFileSync(`/proc/${pid}/cmdline`, "utf8");
      expectClean(cmdline, `argv of ${pid}`);
    }
    expect(pids.length).toBeGreaterThan(1); // the check did see the child
    proc.kill();
    await proc.exited;
  });

  it("should keep every file 0600", () => {
    for (const suffix of ["", "-wal", "-shm"]) {
      const path = join(dir, `coffer.db${suffix}`);
      if (existsSync(path)) expect((statSync(path).mode & 0o777).toString(8)).toBe("600");
    }
  });
});

function children(pid: number): number[] {
  const path = `/proc/${pid}/task/${pid}/children`;
  if (!existsSync(path)) return [];
  return readFileSync(path, "utf8").trim().split(/\s+/).filter(Boolean).map(Number);
}
