// .env and JSON round trips through the binary; the exported .env reads back
// the same in a POSIX shell (`set -a; . ./file`).

import { beforeAll, describe, expect, it, setDefaultTimeout } from "bun:test";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { coffer, ensureBinary } from "../helpers/binary.ts";
import { tempDir } from "../helpers/tmp.ts";
import { cheapConfig, vaultEnv } from "../helpers/vault.ts";

// Each test runs the binary (and the KDF) several times.
setDefaultTimeout(30_000);

const TRICKY: Record<string, string> = {
  SINGLE: "it's 'quoted'",
  DOUBLE: 'say "hi"',
  DOLLAR: "$HOME and $\u007bPATH} and $(whoami) and `id`",
  BACKSLASH: "C:\\path\\to\\n not a newline \\",
  MULTILINE: "line one\nline two\n\nline four",
  UNICODE: "h\u00e9llo w\u00f6rld \u2713 \u{1f511}",
  SPACES: "  leading and trailing  ",
  HASH: "value # not a comment",
  EQUALS: "a=b=c",
  PLAIN: "simple_value-1.2",
};

const dir = tempDir();
const env = vaultEnv(dir, { COFFER_PASSPHRASE: "io pass" });

beforeAll(() => {
  ensureBinary();
  cheapConfig(dir);
  const json = join(dir, "in.json");
  writeFileSync(json, JSON.stringify(TRICKY));
  expect(coffer(["secret", "import", json], { env }).code).toBe(0);
});

describe("import and export", () => {
  it("should export .env that a shell reads back byte for byte", () => {
    const r = coffer(["secret", "export"], { env });
    expect(r.code).toBe(0);
    const file = join(dir, "out.env");
    writeFileSync(file, r.stdout);
    const names = Object.keys(TRICKY);
    const dump = names.map((n) => `printf '%s\\0' "$${n}"`).join("; ");
    const sh = Bun.spawnSync(["bash", "-c", `set -a; . "${file}"; ${dump}`], { env: {} });
    expect(sh.exitCode).toBe(0);
    const values = sh.stdout.toString().split("\0").slice(0, -1);
    expect(Object.fromEntries(names.map((n, i) => [n, values[i]]))).toEqual(TRICKY);
  });

  it("should re-import its own .env identically", () => {
    const exported = coffer(["secret", "export"], { env }).stdout;
    expect(
      coffer(["secret", "import", "-", "--scope", "copy"], { env, stdin: exported }).code,
    ).toBe(0);
    const json = coffer(["secret", "export", "--format", "json", "--scope", "copy"], { env });
    expect(JSON.parse(json.stdout)).toEqual(TRICKY);
  });

  it("should read dotenv's double-quoted escapes, export and comments", () => {
    const text = "# comment\nexport A=\"one\\ntwo\"\nB=plain # trailing comment\nC='lit $x'\n\n";
    expect(coffer(["secret", "import", "-", "--scope", "dot"], { env, stdin: text }).code).toBe(0);
    const json = coffer(["secret", "export", "--format", "json", "--scope", "dot"], { env });
    expect(JSON.parse(json.stdout)).toEqual({ A: "one\ntwo", B: "plain", C: "lit $x" });
  });

  it("should refuse malformed input with exit 2 and store nothing", () => {
    const before = coffer(["secret", "list", "--json"], { env }).stdout;
    expect(coffer(["secret", "import", "-"], { env, stdin: "GOOD=1\nnot a pair\n" }).code).toBe(2);
    expect(coffer(["secret", "import", "-"], { env, stdin: "A='unterminated\n" }).code).toBe(2);
    expect(
      coffer(["secret", "import", "-", "--format", "json"], { env, stdin: '{"A": 1}' }).code,
    ).toBe(2);
    expect(coffer(["secret", "import", join(dir, "missing.env")], { env }).code).toBe(3);
    expect(coffer(["secret", "list", "--json"], { env }).stdout).toBe(before);
  });
});
