// The hidden prompt on a pseudo-terminal: echo off while asking, the typed
// passphrase never shown, the terminal restored after Enter and after Ctrl-C (130).

import { beforeAll, describe, expect, it, setDefaultTimeout } from "bun:test";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { BINARY, baseEnv, ensureBinary, ROOT } from "../helpers/binary.ts";
import { tempDir } from "../helpers/tmp.ts";
import { cheapConfig, VECTOR_PASSPHRASE, vaultEnv, writeVectorStore } from "../helpers/vault.ts";

// Each test runs the binary (and the KDF) several times.
setDefaultTimeout(30_000);

const dir = tempDir();
const env = vaultEnv(dir);

beforeAll(() => {
  ensureBinary();
  cheapConfig(dir);
  writeVectorStore(join(dir, "coffer.db"));
  writeFileSync(join(dir, "pass"), `${VECTOR_PASSPHRASE}\n`);
});

interface PtyResult {
  output: string;
  echoWhileAsking: boolean[];
  echoAfter: boolean;
  icanonAfter: boolean;
  isigAfter: boolean;
  status: number | null;
}

function onPty(args: string[], answers: [string, string][]): PtyResult {
  const r = Bun.spawnSync(["python3", join(ROOT, "test/helpers/pty-run.py"), BINARY, ...args], {
    env: baseEnv({ ...env, PTY_ANSWERS: JSON.stringify(answers) }),
    stdout: "pipe",
    stderr: "pipe",
    timeout: 30_000,
  });
  if (r.exitCode !== 0) throw new Error(r.stderr.toString());
  return JSON.parse(r.stdout.toString()) as PtyResult;
}

// The pseudo-terminal comes from python3's pty module; without python3 there is none to drive.
describe.skipIf(Bun.which("python3") === null)("hidden prompt", () => {
  it("should read the passphrase without echo and restore the terminal", () => {
    const r = onPty(
      ["secret", "get", "BOT_TOKEN", "--scope", "bot-7f3a"],
      [["passphrase: ", `${VECTOR_PASSPHRASE}\r`]],
    );
    expect(r.status).toBe(0);
    expect(r.echoWhileAsking).toEqual([false]);
    expect(r.output).not.toContain("battery");
    expect(r.output).toContain("xoxb-vector-bot-token\r\n"); // a newline, since stdout is a terminal
    expect([r.echoAfter, r.icanonAfter, r.isigAfter]).toEqual([true, true, true]);
  });

  it("should restore the terminal and exit 130 on Ctrl-C", () => {
    const r = onPty(["secret", "list"], [["passphrase: ", "half-typed\u0003"]]);
    expect(r.status).toBe(130);
    expect(r.output).not.toContain("half-typed");
    expect([r.echoAfter, r.icanonAfter, r.isigAfter]).toEqual([true, true, true]);
  });

  it("should exit 4 on a wrong passphrase typed at the prompt", () => {
    const r = onPty(["secret", "list"], [["passphrase: ", "wrong\r"]]);
    expect(r.status).toBe(4);
    expect(r.output).toContain("coffer: error: wrong passphrase");
    expect(r.echoAfter).toBe(true);
  });

  it("should ask before exporting to a terminal, and print nothing on no", () => {
    const r = onPty(
      ["secret", "export", "--scope", "bot-7f3a", "--passphrase-file", join(dir, "pass")],
      [["[y/N] ", "n\r"]],
    );
    expect(r.status).toBe(2);
    expect(r.output).not.toContain("xoxb-vector-bot-token");
    const yes = onPty(
      ["secret", "export", "--scope", "bot-7f3a", "--passphrase-file", join(dir, "pass")],
      [["[y/N] ", "y\r"]],
    );
    expect(yes.status).toBe(0);
    expect(yes.output).toContain("BOT_TOKEN=xoxb-vector-bot-token");
  });

  it("should read a value from a hidden prompt when stdin is a terminal", () => {
    const r = onPty(
      ["secret", "set", "TYPED", "--passphrase-file", join(dir, "pass")],
      [["value for TYPED: ", "typed-secret-value\r"]],
    );
    expect(r.status).toBe(0);
    expect(r.echoWhileAsking).toEqual([false]);
    expect(r.output).not.toContain("typed-secret-value");
  });

  it("should ask twice when creating a vault, and refuse a mismatch", () => {
    const fresh = tempDir();
    cheapConfig(fresh);
    const mismatch = Bun.spawnSync(
      ["python3", join(ROOT, "test/helpers/pty-run.py"), BINARY, "secret", "set", "A"],
      {
        env: baseEnv({
          ...vaultEnv(fresh),
          PTY_ANSWERS: JSON.stringify([
            ["passphrase: ", "one\r"],
            ["repeat passphrase: ", "two\r"],
          ]),
        }),
        stdout: "pipe",
      },
    );
    const r = JSON.parse(mismatch.stdout.toString()) as PtyResult;
    expect(r.status).toBe(4);
    expect(r.output).toContain("do not match");
    expect(r.echoWhileAsking).toEqual([false, false]);
  });
});
