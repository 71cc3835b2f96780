// Plaintext [secrets] in the config move into the vault on the next unlocked
// command, leave the file (rewritten atomically, the rest kept), with one warning.

import { beforeAll, describe, expect, it, setDefaultTimeout } from "bun:test";
import { chmodSync, mkdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { coffer, ensureBinary } from "../helpers/binary.ts";
import { tempDir } from "../helpers/tmp.ts";
import { cheapConfig, vaultEnv } from "../helpers/vault.ts";

// Each test runs the binary (and the KDF) several times.
setDefaultTimeout(30_000);

beforeAll(() => ensureBinary());

const CONFIG_REST = "[storage]\nbusy_timeout_ms = 4000\n";

describe("plaintext config secrets", () => {
  it("should move them into the vault and out of the file, warning once", () => {
    const dir = tempDir();
    const env = vaultEnv(dir, { COFFER_PASSPHRASE: "pt pass" });
    cheapConfig(
      dir,
      `${CONFIG_REST}\n[secrets]\nOPENAI = "sk-plaintext-0123456789abcdef"\nMULTI = """a\n[not a table]\nb"""\n`,
    );
    const first = coffer(["secret", "set", "OTHER"], { env, stdin: "other" });
    expect(first.code).toBe(0);
    expect(first.stderr.match(/warning: moved 2 plaintext secret/g)?.length).toBe(1);
    expect(first.stderr).not.toContain("sk-plaintext");

    const config = join(dir, "config.toml");
    const text = readFileSync(config, "utf8");
    expect(text).not.toContain("secrets");
    expect(text).not.toContain("sk-plaintext");
    expect(text).toContain("busy_timeout_ms = 4000");
    expect(text).toContain("kdf_memory_kib = 19456");
    expect((statSync(config).mode & 0o777).toString(8)).toBe("600");

    expect(coffer(["secret", "get", "OPENAI"], { env }).stdout).toBe(
      "sk-plaintext-0123456789abcdef",
    );
    expect(coffer(["secret", "get", "MULTI"], { env }).stdout).toBe("a\n[not a table]\nb");
    const again = coffer(["secret", "list"], { env });
    expect(again.stderr).not.toContain("warning");
  });

  it("should not touch the file when the vault is locked", () => {
    const dir = tempDir();
    cheapConfig(dir, '[secrets]\nTOKEN = "plain-token-value"\n');
    const before = readFileSync(join(dir, "config.toml"), "utf8");
    const r = coffer(["secret", "list"], { env: vaultEnv(dir) });
    expect(r.code).toBe(3);
    const status = coffer(["status"], { env: vaultEnv(dir) });
    expect(status.stderr).toContain("holds 1 plaintext secret(s)");
    expect(status.stderr).not.toContain("plain-token-value");
    expect(readFileSync(join(dir, "config.toml"), "utf8")).toBe(before);
  });
});

describe("plaintext config secrets in a read-only directory", () => {
  // Root writes through directory permissions, so there the case cannot be made.
  it.skipIf(process.getuid?.() === 0)(
    "should still move them into the vault and ask for the table to be removed by hand",
    () => {
      const dir = tempDir();
      const confDir = join(dir, "conf");
      mkdirSync(confDir);
      const config = join(confDir, "config.toml");
      writeFileSync(
        config,
        '[vault]\nkdf_memory_kib = 19456\nkdf_iterations = 2\nkdf_parallelism = 1\n[secrets]\nRO = "read-only-dir-value"\n',
      );
      chmodSync(confDir, 0o500);
      try {
        const env = vaultEnv(dir, { COFFER_CONFIG: config, COFFER_PASSPHRASE: "ro pass" });
        const r = coffer(["secret", "set", "OTHER"], { env, stdin: "x" });
        expect(r.code).toBe(0);
        expect(r.stderr).toContain("remove it from the file by hand");
        expect(coffer(["secret", "get", "RO"], { env }).stdout).toBe("read-only-dir-value");
      } finally {
        chmodSync(confDir, 0o700);
      }
    },
  );
});
