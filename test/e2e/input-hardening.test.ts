// Hostile input through the binary: endless and silent sources, invalid UTF-8,
// JSON that JSON.stringify would change, .env round trips, values that look like flags.

import { beforeAll, describe, expect, it, setDefaultTimeout } from "bun:test";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { BINARY, baseEnv, coffer, ensureBinary } from "../helpers/binary.ts";
import { tempDir } from "../helpers/tmp.ts";
import { cheapConfig, vaultEnv } from "../helpers/vault.ts";

setDefaultTimeout(60_000);

const PASS = "hardening pass";
const dir = tempDir();
const env = vaultEnv(dir, { COFFER_PASSPHRASE: PASS });

interface ShResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs a bash script with "$COFFER" set to the binary: raw bytes and redirections need a shell. */
async function sh(script: string, extra: Record<string, string | undefined> = env) {
  const proc = Bun.spawn(["bash", "-c", script], {
    env: baseEnv({ ...extra, COFFER: BINARY }),
    stdin: "ignore",
    stdout: "pipe",
    stderr: "pipe",
    timeout: 45_000,
  });
  const [stdout, stderr, code] = await Promise.all([
    new Response(proc.stdout).text(),
    new Response(proc.stderr).text(),
    proc.exited,
  ]);
  return { code, stdout, stderr } satisfies ShResult;
}

/** One `coffer: error:` line (an optional hint after it), no stack. */
function oneError(r: ShResult, pattern: RegExp): void {
  const lines = r.stderr.trim().split("\n");
  expect(lines[0]).toMatch(/^coffer: error: /);
  expect(lines[0]).toMatch(pattern);
  expect(lines.slice(1).every((l) => l.startsWith("coffer: hint: "))).toBe(true);
}

const TIME = "/usr/bin/time";

const TIMES = join(dir, "time.txt");

/** Peak RSS in KiB when /usr/bin/time -v wrote it, else undefined. */
function peakKiB(): number | undefined {
  if (!existsSync(TIMES)) return undefined;
  const m = /Maximum resident set size \(kbytes\): (\d+)/.exec(readFileSync(TIMES, "utf8"));
  return m ? Number(m[1]) : undefined;
}

beforeAll(() => {
  ensureBinary();
  cheapConfig(dir);
  expect(coffer(["secret", "set", "A"], { env, stdin: "one" }).code).toBe(0);
  if (!existsSync(TIME)) console.log(`note: ${TIME} missing, peak RSS is not checked`);
});

describe("endless input stops at its limit (item 2)", () => {
  const timed = existsSync(TIME) ? `${TIME} -v -o '${TIMES}' ` : "";
  const cases: [string, string, number, RegExp][] = [
    ["secret set", `${timed}"$COFFER" secret set B < /dev/zero`, 2, /over the 1 MiB limit/],
    ["secret import -", `${timed}"$COFFER" secret import - < /dev/zero`, 2, /16 MiB limit/],
    ["queue push -", `${timed}"$COFFER" queue push q - < /dev/zero`, 2, /1 MiB limit/],
    [
      "COFFER_PASSPHRASE_FILE",
      `COFFER_PASSPHRASE_FILE=/dev/zero ${timed}"$COFFER" secret get A`,
      4,
      /passphrase .* over the 64 KiB limit/,
    ],
    [
      "--passphrase-fd",
      `${timed}"$COFFER" secret get A --passphrase-fd 3 3</dev/zero`,
      4,
      /64 KiB/,
    ],
  ];
  for (const [name, script, code, message] of cases) {
    it(`should refuse ${name} from /dev/zero with exit ${code}, naming the limit`, async () => {
      const r = await sh(script);
      expect(r.code).toBe(code);
      oneError(r, message);
      const peak = peakKiB();
      if (peak !== undefined) expect(peak).toBeLessThan(256 * 1024);
    });
  }

  it("should take a value of exactly 1 MiB and refuse one byte more", async () => {
    const exact = await sh(`head -c 1048576 /dev/zero | tr '\\0' x | "$COFFER" secret set BIG`);
    expect(exact.code).toBe(0);
    const over = await sh(`head -c 1048577 /dev/zero | tr '\\0' x | "$COFFER" secret set BIG`);
    expect(over.code).toBe(2);
    oneError(over, /the value on stdin is over the 1 MiB limit/);
  });
});

describe("silent sources time out (item 3)", () => {
  it("should give up on a FIFO nobody writes: passphrase 4, input file 2", async () => {
    const fifo = join(dir, "silent.fifo");
    expect((await sh(`mkfifo '${fifo}'`)).code).toBe(0);
    const noPass = { ...env, COFFER_PASSPHRASE: undefined, COFFER_PASSPHRASE_FILE: fifo };
    // Both wait the 10 s at the same time.
    const [pass, input] = await Promise.all([
      sh(`"$COFFER" secret get A`, noPass),
      sh(`"$COFFER" secret import '${fifo}'`),
    ]);
    expect(pass.code).toBe(4);
    oneError(pass, /COFFER_PASSPHRASE_FILE gave no input for 10 s/);
    expect(input.code).toBe(2);
    oneError(input, /silent\.fifo gave no input for 10 s/);
  });

  it("should still read a process substitution and a FIFO whose writer comes late", async () => {
    const noPass = { ...env, COFFER_PASSPHRASE: undefined };
    const sub = await sh(
      `"$COFFER" secret get A --passphrase-file <(printf '%s\\n' '${PASS}')`,
      noPass,
    );
    expect(sub).toMatchObject({ code: 0, stdout: "one" });
    const fifo = join(dir, "late.fifo");
    const late = await sh(
      `mkfifo '${fifo}'; (sleep 1; printf '%s' '${PASS}' > '${fifo}') &
       COFFER_PASSPHRASE_FILE='${fifo}' "$COFFER" secret get A`,
      noPass,
    );
    expect(late).toMatchObject({ code: 0, stdout: "one" });
  });
});

describe("passphrases that are not UTF-8 (item 5)", () => {
  it("should refuse invalid bytes in COFFER_PASSPHRASE before creating a vault", async () => {
    const fresh = tempDir();
    cheapConfig(fresh);
    const freshEnv = vaultEnv(fresh);
    const r = await sh(
      `printf v | env COFFER_PASSPHRASE=$'\\xff\\xfe\\xfd\\xfc\\xfb\\xfa\\xf9\\xf8' "$COFFER" secret set K`,
      freshEnv,
    );
    expect(r.code).toBe(4);
    oneError(r, /COFFER_PASSPHRASE is not valid UTF-8/);
    // Other high bytes must not find a vault to open either.
    const other = await sh(
      `env COFFER_PASSPHRASE=$'\\x80\\x81\\x82\\x83\\x84\\x85\\x86\\x87' "$COFFER" secret get K`,
      freshEnv,
    );
    expect(other.code).not.toBe(0);
  });

  it("should refuse invalid bytes from a file and the new passphrase of passwd", async () => {
    const file = join(dir, "bad.pass");
    writeFileSync(file, Buffer.from([0xc3, 0x28, 0x0a]));
    const r = await sh(`"$COFFER" secret get A --passphrase-file '${file}'`);
    expect(r.code).toBe(4);
    const p = await sh(`env COFFER_NEW_PASSPHRASE=$'\\xff\\xff' "$COFFER" secret passwd`);
    expect(p.code).toBe(4);
    oneError(p, /COFFER_NEW_PASSPHRASE is not valid UTF-8/);
  });
});

describe("JSON input JSON.stringify would change (item 12)", () => {
  const deep = (n: number) => {
    const file = join(dir, `deep-${n}.json`);
    writeFileSync(file, `${"[".repeat(n)}${"]".repeat(n)}`);
    return `'${file}'`;
  };
  const cases: [string, string, RegExp][] = [
    ["1e999", `printf '{"a":1e999}' | "$COFFER" queue push q -`, /number JSON cannot represent/],
    ["-1e999 in argv", `"$COFFER" queue push q '[-1e999]'`, /number JSON cannot represent/],
    ["invalid UTF-8 on stdin", `printf '"\\xff"' | "$COFFER" queue push q -`, /not valid UTF-8/],
    ["invalid UTF-8 in argv", `"$COFFER" queue push q $'"\\xff"'`, /not valid UTF-8/],
    ["1001 levels", `"$COFFER" queue push q - < ${deep(1001)}`, /deeper than 1000/],
    ["100000 levels", `"$COFFER" queue push q - < ${deep(100_000)}`, /deeper than 1000/],
  ];
  for (const [name, script, message] of cases) {
    it(`should refuse ${name} with exit 2`, async () => {
      const r = await sh(script);
      expect(r.code).toBe(2);
      oneError(r, message);
    });
  }

  it("should take 1000 levels and a U+FFFD written as an escape", async () => {
    expect((await sh(`"$COFFER" queue push deep - < ${deep(1000)}`)).code).toBe(0);
    const r = await sh(`"$COFFER" queue push esc '"\\ufffd"' && "$COFFER" queue pop esc`);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout.slice(r.stdout.indexOf("{"))).payload).toBe("\ufffd");
  });
});

describe(".env export then import is exact (item 13)", () => {
  const VALUES: Record<string, string> = {
    CRLF: "one\r\ntwo\r\n",
    CR: "a\rb\r",
    MIXED: "'\"\\$x `y` #z\r\n\n\r",
    TRAILING_CR: "x\r",
  };

  it("should give back every byte, \\r\\n inside values included", async () => {
    const json = join(dir, "crlf.json");
    writeFileSync(json, JSON.stringify(VALUES));
    const scope = ["--scope", "crlf"];
    expect(coffer(["secret", "import", json, ...scope], { env }).code).toBe(0);
    const exported = coffer(["secret", "export", ...scope], { env });
    expect(exported.code).toBe(0);
    const back = ["--scope", "crlf2"];
    expect(coffer(["secret", "import", "-", ...back], { env, stdin: exported.stdout }).code).toBe(
      0,
    );
    for (const [name, value] of Object.entries(VALUES)) {
      expect({ name, value: coffer(["secret", "get", name, ...back], { env }).stdout }).toEqual({
        name,
        value,
      });
    }
  });

  it("should refuse to export NUL as .env (exit 2) and keep it in JSON", async () => {
    const scope = ["--scope", "nul"];
    expect((await sh(`printf 'a\\0b' | "$COFFER" secret set N --scope nul`)).code).toBe(0);
    const r = coffer(["secret", "export", ...scope], { env });
    expect(r.code).toBe(2);
    expect(r.stdout).toBe("");
    oneError(r, /NUL/);
    const json = coffer(["secret", "export", "--format", "json", ...scope], { env });
    expect(JSON.parse(json.stdout)).toEqual({ N: "a\0b" });
  });
});

describe("flag values that start with - (item 25)", () => {
  it("should store --error -ENOSPC as the error", () => {
    const id = coffer(["queue", "push", "dash", "{}"], { env }).stdout.trim();
    expect(coffer(["queue", "pop", "dash"], { env }).code).toBe(0);
    const r = coffer(["queue", "fail", id, "--error", "-ENOSPC"], { env });
    expect(r.code).toBe(0);
    const list = coffer(["--json", "queue", "list", "dash"], { env });
    expect(JSON.parse(list.stdout)[0].lastError).toBe("-ENOSPC");
    expect(coffer(["queue", "fail", id, "--nope", "x"], { env }).code).toBe(2);
  });
});

describe("--passphrase-fd N that is not an input (item 26)", () => {
  it("should refuse a closed descriptor with exit 4 before opening the store", async () => {
    const r = await sh(`"$COFFER" secret get A --passphrase-fd 9 9<&-`);
    expect(r.code).toBe(4);
    oneError(r, /--passphrase-fd 9: the descriptor is not open/);
  });

  it("should refuse a descriptor of the runtime's own (fd 3 is its epoll) with exit 4", async () => {
    const r = await sh(`"$COFFER" secret get A --passphrase-fd 3 3<&-`);
    expect(r.code).toBe(4);
    expect(r.stdout).toBe("");
  });

  it("should still read an open descriptor", async () => {
    const r = await sh(`"$COFFER" secret get A --passphrase-fd 7 7< <(printf '%s' '${PASS}')`, {
      ...env,
      COFFER_PASSPHRASE: undefined,
    });
    expect(r).toMatchObject({ code: 0, stdout: "one" });
  });
});

describe("--json on secret export (item 27)", () => {
  it("should print one JSON document", () => {
    const r = coffer(["--json", "secret", "export"], { env });
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ A: "one" });
    expect(coffer(["--json", "secret", "export", "--format", "env"], { env }).code).toBe(2);
  });
});
