// The secret commands through the compiled binary: exit codes, exact bytes,
// passphrase sources and their order, one-line errors.

import { beforeAll, describe, expect, it, setDefaultTimeout } from "bun:test";
import { statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { BINARY, baseEnv, coffer, ensureBinary } from "../helpers/binary.ts";
import { tempDir } from "../helpers/tmp.ts";
import { cheapConfig, VECTOR_PASSPHRASE, vaultEnv, writeVectorStore } from "../helpers/vault.ts";

// Each test runs the binary (and the KDF) several times.
setDefaultTimeout(30_000);

beforeAll(() => ensureBinary());

function newVaultDir(): { dir: string; env: Record<string, string | undefined> } {
  const dir = tempDir();
  cheapConfig(dir);
  return { dir, env: vaultEnv(dir, { COFFER_PASSPHRASE: "pw" }) };
}

describe("secret set/get", () => {
  const { dir, env } = newVaultDir();

  it("should say there is no vault yet without asking for a passphrase", () => {
    const r = coffer(["secret", "get", "A"], { env: vaultEnv(dir) });
    expect(r.code).toBe(3);
    expect(r.stderr).toContain("no vault yet");
  });

  it("should create the vault lazily and drop exactly one trailing newline", () => {
    const set = coffer(["secret", "set", "A"], { env, stdin: "value\n\n" });
    expect(set.code).toBe(0);
    expect(coffer(["secret", "get", "A"], { env }).stdout).toBe("value\n");
    coffer(["secret", "set", "A"], { env, stdin: "crlf\r\n" });
    expect(coffer(["secret", "get", "A"], { env }).stdout).toBe("crlf");
    expect((statSync(join(dir, "coffer.db")).mode & 0o777).toString(8)).toBe("600");
  });

  it("should keep every byte with --raw, binary included", () => {
    const bytes = new Uint8Array([0, 255, 10, 13, 10]);
    expect(coffer(["secret", "set", "BIN", "--raw"], { env, stdin: bytes }).code).toBe(0);
    const r = Bun.spawnSync([BINARY, "secret", "get", "BIN"], { env: baseEnv(env) });
    expect(new Uint8Array(r.stdout)).toEqual(bytes);
  });

  it("should refuse a value on argv with exit 2 and not echo it", () => {
    const r = coffer(["secret", "set", "A", "hunter2-canary"], { env });
    expect(r.code).toBe(2);
    expect(r.stderr).not.toContain("hunter2-canary");
    const flag = coffer(["secret", "set", "A", "--value=hunter2-canary"], { env });
    expect(flag.code).toBe(2);
    expect(flag.stderr).not.toContain("hunter2-canary");
  });

  it("should refuse a value over 1 MiB and keep a closed stdout quiet", () => {
    const big = new Uint8Array(1024 * 1024 + 1).fill(65);
    const r = coffer(["secret", "set", "BIG", "--raw"], { env, stdin: big });
    expect(r.code).toBe(2);
    expect(r.stderr).not.toContain("AAAA");
    const piped = Bun.spawnSync(["sh", "-c", `"${BINARY}" secret get A | head -c0`], {
      env: baseEnv(env),
      stderr: "pipe",
    });
    expect(piped.stderr.toString()).toBe("");
  });

  it("should refuse an empty value and a bad name with exit 2", () => {
    expect(coffer(["secret", "set", "E"], { env, stdin: "\n" }).code).toBe(2);
    expect(coffer(["secret", "set", "bad-name"], { env, stdin: "x" }).code).toBe(2);
  });

  it("should exit 3 for a missing secret and 4 for a wrong passphrase, in one line", () => {
    const missing = coffer(["secret", "get", "NOPE"], { env });
    expect(missing.code).toBe(3);
    const wrong = coffer(["secret", "get", "A"], { env: { ...env, COFFER_PASSPHRASE: "nope" } });
    expect(wrong.code).toBe(4);
    expect(wrong.stderr).toBe("coffer: error: wrong passphrase\n");
    expect(wrong.stdout).toBe("");
  });

  it("should keep history and read old versions", () => {
    coffer(["secret", "set", "H"], { env, stdin: "one" });
    coffer(["secret", "set", "H"], { env, stdin: "two" });
    const history = JSON.parse(coffer(["secret", "history", "H", "--json"], { env }).stdout);
    expect(history.map((h: { version: number }) => h.version)).toEqual([1, 2]);
    expect(coffer(["secret", "get", "H", "--version", "1"], { env }).stdout).toBe("one");
    expect(coffer(["secret", "get", "H"], { env }).stdout).toBe("two");
  });

  it("should list masked previews and remove secrets", () => {
    coffer(["secret", "set", "KEY"], { env, stdin: "sk-abcdefghijklmnop4f2b" });
    coffer(["secret", "set", "KEY", "--scope", "bot-1"], { env, stdin: "scoped-value-1234567" });
    const list = coffer(["secret", "list"], { env });
    expect(list.code).toBe(0);
    expect(list.stdout).toContain("sk-...4f2b");
    expect(list.stdout).not.toContain("abcdefghijklmnop");
    const rows = JSON.parse(
      coffer(["secret", "list", "--scope", "bot-1", "--json"], { env }).stdout,
    );
    expect(rows).toEqual([expect.objectContaining({ name: "KEY", scope: "bot-1", version: 1 })]);
    expect(coffer(["secret", "rm", "KEY", "--scope", "bot-1"], { env }).code).toBe(0);
    expect(coffer(["secret", "get", "KEY", "--scope", "bot-1"], { env }).code).toBe(3);
    expect(coffer(["secret", "rm", "KEY", "--scope", "bot-1"], { env }).code).toBe(3);
    expect(coffer(["secret", "get", "KEY"], { env }).stdout).toBe("sk-abcdefghijklmnop4f2b");
  });
});

describe("passphrase sources", () => {
  const dir = tempDir();
  writeVectorStore(join(dir, "coffer.db"));
  cheapConfig(dir);
  const env = vaultEnv(dir);
  const good = join(dir, "good");
  const bad = join(dir, "bad");
  writeFileSync(good, `${VECTOR_PASSPHRASE}\n`);
  writeFileSync(bad, "wrong\n");
  const get = ["secret", "get", "BOT_TOKEN", "--scope", "bot-7f3a"];

  it("should read a file with one trailing newline dropped", () => {
    const r = coffer([...get, "--passphrase-file", good], { env });
    expect(r.stdout).toBe("xoxb-vector-bot-token");
  });

  it("should read a file descriptor", () => {
    const r = Bun.spawnSync(
      ["sh", "-c", `"${BINARY}" "$@" --passphrase-fd 3 3<"${good}"`, "sh", ...get],
      {
        env: baseEnv(env),
      },
    );
    expect(r.stdout.toString()).toBe("xoxb-vector-bot-token");
  });

  it("should prefer the flag over COFFER_PASSPHRASE_FILE over COFFER_PASSPHRASE", () => {
    const flagWins = coffer([...get, "--passphrase-file", good], {
      env: { ...env, COFFER_PASSPHRASE_FILE: bad, COFFER_PASSPHRASE: "wrong" },
    });
    expect(flagWins.code).toBe(0);
    const fileWins = coffer(get, {
      env: { ...env, COFFER_PASSPHRASE_FILE: good, COFFER_PASSPHRASE: "wrong" },
    });
    expect(fileWins.code).toBe(0);
    const envUsedAsIs = coffer(get, {
      env: { ...env, COFFER_PASSPHRASE: `${VECTOR_PASSPHRASE}\n` },
    });
    expect(envUsedAsIs.code).toBe(4);
  });

  it("should refuse both flags, an empty passphrase and a missing file", () => {
    expect(coffer([...get, "--passphrase-file", good, "--passphrase-fd", "0"], { env }).code).toBe(
      2,
    );
    expect(coffer(get, { env: { ...env, COFFER_PASSPHRASE: "" } }).code).toBe(4);
    expect(coffer([...get, "--passphrase-file", join(dir, "missing")], { env }).code).toBe(3);
  });
});
