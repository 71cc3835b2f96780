// Passphrase sources in SPEC order, newline handling and refusals.

import { describe, expect, it } from "bun:test";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { AuthError, NotFoundError, UsageError } from "../../../src/errors.ts";
import { readNewPassphrase, readPassphrase } from "../../../src/vault/passphrase.ts";
import { tempDir } from "../../helpers/tmp.ts";

const dir = tempDir();
const file = (name: string, text: string) => {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
};

describe("readPassphrase", () => {
  it("should take the first source in SPEC order", async () => {
    const a = file("a", "from-flag\n");
    const b = file("b", "from-env-file\r\n");
    const env = { COFFER_PASSPHRASE_FILE: b, COFFER_PASSPHRASE: "from-env" };
    const prompt = async () => "from-prompt";
    expect(await readPassphrase({ file: a, env, prompt })).toBe("from-flag");
    expect(await readPassphrase({ env, prompt })).toBe("from-env-file");
    expect(await readPassphrase({ env: { COFFER_PASSPHRASE: "x\n" }, prompt })).toBe("x\n");
    expect(await readPassphrase({ env: {}, prompt })).toBe("from-prompt");
  });

  it("should drop exactly one trailing newline from a file", async () => {
    expect(await readPassphrase({ file: file("c", "two\n\n"), env: {} })).toBe("two\n");
  });

  it("should refuse when there is no source and no terminal, naming the options", async () => {
    const err = await readPassphrase({ env: {} }).catch((e) => e);
    expect(err).toBeInstanceOf(AuthError);
    expect(err.hint).toContain("--passphrase-fd");
  });

  it("should refuse empty passphrases, both flags and a missing file", async () => {
    await expect(readPassphrase({ env: { COFFER_PASSPHRASE: "" } })).rejects.toBeInstanceOf(
      AuthError,
    );
    await expect(readPassphrase({ file: file("e", "\n"), env: {} })).rejects.toBeInstanceOf(
      AuthError,
    );
    await expect(readPassphrase({ file: "x", fd: 3, env: {} })).rejects.toBeInstanceOf(UsageError);
    await expect(readPassphrase({ file: join(dir, "none"), env: {} })).rejects.toBeInstanceOf(
      NotFoundError,
    );
  });

  it("should ask twice when confirming, and refuse a mismatch", async () => {
    const answers = ["one", "two"];
    const prompt = async () => answers.shift() as string;
    await expect(readPassphrase({ env: {}, prompt }, { confirm: true })).rejects.toThrow(
      "do not match",
    );
  });

  it("should read the new passphrase from its own variables only", async () => {
    const env = { COFFER_PASSPHRASE: "old", COFFER_NEW_PASSPHRASE: "new" };
    expect(await readNewPassphrase({ env })).toBe("new");
    await expect(readNewPassphrase({ env: { COFFER_PASSPHRASE: "old" } })).rejects.toBeInstanceOf(
      AuthError,
    );
  });
});

describe("readPassphrase and UTF-8", () => {
  it("should refuse U+FFFD, the mark of invalid bytes, from the environment and the prompt", async () => {
    const env = { COFFER_PASSPHRASE: "\ufffd\ufffd" };
    await expect(readPassphrase({ env })).rejects.toBeInstanceOf(AuthError);
    const prompt = async () => "a\ufffdb";
    await expect(readPassphrase({ env: {}, prompt })).rejects.toThrow("not valid UTF-8");
  });

  it("should refuse a passphrase file over 64 KiB with exit 4", async () => {
    const big = file("big", "x".repeat(64 * 1024 + 1));
    await expect(readPassphrase({ file: big, env: {} })).rejects.toThrow("64 KiB limit");
  });
});
