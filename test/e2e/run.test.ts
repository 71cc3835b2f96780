// coffer run: secrets in the child's environment, passphrase variables not,
// values masked in its output even when split across writes, its exit code
// passed through, signals forwarded.

import { beforeAll, describe, expect, it, setDefaultTimeout } from "bun:test";
import { existsSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { BINARY, baseEnv, coffer, ensureBinary } from "../helpers/binary.ts";
import { tempDir } from "../helpers/tmp.ts";
import { cheapConfig, vaultEnv } from "../helpers/vault.ts";

// Each test runs the binary (and the KDF) several times.
setDefaultTimeout(30_000);

const dir = tempDir();
const passFile = join(dir, "pass");
const env = vaultEnv(dir, {
  COFFER_PASSPHRASE: "run pass",
  COFFER_PASSPHRASE_FILE: passFile,
  COFFER_NEW_PASSPHRASE: "next-canary",
  COFFER_NEW_PASSPHRASE_FILE: "/nonexistent",
  KEEP_ME: "kept",
});

beforeAll(() => {
  ensureBinary();
  cheapConfig(dir);
  writeFileSync(passFile, "run pass\n", { mode: 0o600 });
  coffer(["secret", "import", "-"], {
    env,
    stdin: "API_KEY=split-canary-0123456789\nOTHER=other-canary-value\n",
  });
});

describe("coffer run", () => {
  it("should pass secrets and the environment but never the passphrase variables", () => {
    const r = coffer(["run", "--no-mask", "--", "env"], { env });
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("API_KEY=split-canary-0123456789\n");
    expect(r.stdout).toContain("KEEP_ME=kept\n");
    expect(r.stdout).not.toContain("COFFER_PASSPHRASE");
    expect(r.stdout).not.toContain("COFFER_NEW_PASSPHRASE");
    expect(r.stdout).not.toContain("run pass");
  });

  it("should mask values in stdout and stderr, also when written in pieces", () => {
    // The value's two halves in two writes, 0.2 s apart: two chunks for coffer.
    const script =
      'printf %s split-canary-; sleep 0.2; printf "%s\\n" 0123456789; echo "err $OTHER" >&2';
    const r = coffer(["run", "--", "sh", "-c", script], { env });
    expect(r.code).toBe(0);
    expect(r.stdout).toBe("[redacted]\n");
    expect(r.stderr).toBe("err [redacted]\n");
  });

  it("should inject only the secrets named by --only, and fail before CMD if one is missing", () => {
    const only = coffer(["run", "--no-mask", "--only", "OTHER", "--", "env"], { env });
    expect(only.stdout).toContain("OTHER=other-canary-value");
    expect(only.stdout).not.toContain("API_KEY=");
    const marker = join(dir, "ran");
    const r = coffer(["run", "--only", "OTHER,MISSING", "--", "touch", marker], { env });
    expect(r.code).toBe(3);
    expect(existsSync(marker)).toBe(false);
  });

  it("should exit with the child's code, 127 when not found, 126 when not executable", () => {
    expect(coffer(["run", "--", "sh", "-c", "exit 42"], { env }).code).toBe(42);
    expect(coffer(["run", "--", "no-such-command-here"], { env }).code).toBe(127);
    const script = join(dir, "not-executable.sh");
    writeFileSync(script, "echo hi\n", { mode: 0o644 });
    expect(coffer(["run", "--", script], { env }).code).toBe(126);
    expect(coffer(["run"], { env }).code).toBe(2);
  });

  it("should forward SIGTERM to the child", async () => {
    const proc = Bun.spawn(
      [
        BINARY,
        "run",
        "--",
        "sh",
        "-c",
        'trap "echo got-term; exit 42" TERM; echo ready; sleep 20 & wait',
      ],
      { env: baseEnv(env), stdout: "pipe", stderr: "pipe" },
    );
    const reader = (proc.stdout as ReadableStream<Uint8Array>).getReader();
    const first = new TextDecoder().decode((await reader.read()).value);
    expect(first).toContain("ready");
    proc.kill("SIGTERM");
    expect(await proc.exited).toBe(42);
    const rest = new TextDecoder().decode((await reader.read()).value);
    expect(rest).toContain("got-term");
  });
});
