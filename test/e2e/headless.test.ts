// No terminal and no passphrase source (setsid, stdin closed or empty): every
// command that needs the passphrase exits 4 at once, naming the options.

import { beforeAll, describe, expect, it, setDefaultTimeout } from "bun:test";
import { join } from "node:path";
import { BINARY, baseEnv, coffer, ensureBinary } from "../helpers/binary.ts";
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
});

const COMMANDS = [
  ["secret", "get", "BINARY"],
  ["secret", "list"],
  ["secret", "rm", "BINARY"],
  ["secret", "history", "BINARY"],
  ["secret", "passwd"],
  ["secret", "rotate"],
  ["secret", "export"],
  ["secret", "set", "NEW"],
  ["secret", "import", "-"],
  ["run", "--", "true"],
];

/** Runs in a new session (no controlling terminal); a hang hits the timeout and fails the code check. */
function headless(args: string[], stdin: "ignore" | Uint8Array) {
  const r = Bun.spawnSync(["setsid", "-w", BINARY, ...args], {
    env: baseEnv(env),
    stdin,
    stdout: "pipe",
    stderr: "pipe",
    timeout: 10_000,
  });
  return { code: r.exitCode, stdout: r.stdout.toString(), stderr: r.stderr.toString() };
}

describe("headless", () => {
  for (const args of COMMANDS) {
    it(`should exit 4 for '${args.join(" ")}' with stdin closed`, () => {
      const r = headless(args, "ignore");
      expect(r.code).toBe(4);
      expect(r.stderr).toContain("--passphrase-file");
      expect(r.stderr).toContain("COFFER_PASSPHRASE");
      expect(r.stdout).toBe("");
    });
  }

  it("should exit 4 with an empty stdin too", () => {
    expect(headless(["secret", "set", "NEW"], new Uint8Array()).code).toBe(4);
    expect(headless(["secret", "get", "BINARY"], new Uint8Array()).code).toBe(4);
  });

  it("should never read the passphrase from stdin", () => {
    const r = headless(
      ["secret", "get", "BINARY"],
      new TextEncoder().encode(`${VECTOR_PASSPHRASE}\n`),
    );
    expect(r.code).toBe(4);
  });

  it("should leave the vault intact", () => {
    const r = coffer(["secret", "get", "BOT_TOKEN", "--scope", "bot-7f3a"], {
      env: { ...env, COFFER_PASSPHRASE: VECTOR_PASSPHRASE },
    });
    expect(r.stdout).toBe("xoxb-vector-bot-token");
  });
});
