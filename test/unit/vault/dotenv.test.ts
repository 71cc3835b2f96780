// .env quoting and parsing, and the JSON import shape.

import { describe, expect, it } from "bun:test";
import { UsageError } from "../../../src/errors.ts";
import { formatEnv, formatJson, parseEnv, parseJson, quote } from "../../../src/vault/dotenv.ts";

describe("dotenv", () => {
  it("should leave safe values bare and single-quote the rest", () => {
    expect(quote("abc-1.2_x")).toBe("abc-1.2_x");
    expect(quote("")).toBe("''");
    expect(quote("it's")).toBe("'it'\\''s'");
    expect(quote("a b")).toBe("'a b'");
  });

  it("should parse what it formats", () => {
    const pairs = [
      { name: "A", value: 'it\'s "x" $y \\ z' },
      { name: "B", value: "multi\nline\n" },
      { name: "C", value: "" },
      { name: "D", value: "# hash" },
    ];
    expect(parseEnv(formatEnv(pairs))).toEqual(pairs);
  });

  it("should take export, comments, CRLF and double-quoted escapes", () => {
    const text = '# c\r\nexport A=1\r\nB="x\\ty\\n\\"q\\""\r\nC=bare # note\r\n';
    expect(parseEnv(text)).toEqual([
      { name: "A", value: "1" },
      { name: "B", value: 'x\ty\n"q"' },
      { name: "C", value: "bare" },
    ]);
  });

  it("should refuse lines it cannot read, naming the line only", () => {
    expect(() => parseEnv("A=1\nsecret-looking junk\n")).toThrow(".env line 2");
    expect(() => parseEnv("A='open")).toThrow(UsageError);
    expect(() => parseEnv('A="open')).toThrow(UsageError);
    expect(() => parseEnv("A=two words")).toThrow(UsageError);
  });

  it("should read a JSON object of strings only", () => {
    expect(parseJson('{"A":"1"}')).toEqual([{ name: "A", value: "1" }]);
    expect(() => parseJson("[1]")).toThrow(UsageError);
    expect(() => parseJson('{"A":1}')).toThrow(UsageError);
  });
});

describe("dotenv round trip", () => {
  const pieces = [
    "a",
    "Z",
    "0",
    " ",
    "\t",
    "\n",
    "\r",
    "\r\n",
    "'",
    '"',
    "\\",
    "$",
    "#",
    "=",
    "`",
    "é",
    "😀",
    "\u2028",
    "\u00a0",
    "\v",
    "\f",
    "export ",
    "\x01",
    "\x7f",
    "\\r\\n",
    "'\\''",
  ];
  // A fixed seed: a failure names a value that can be reproduced.
  let seed = 7;
  const random = (n: number) => {
    seed = (seed * 1103515245 + 12345) % 2 ** 31;
    return seed % n;
  };
  const randomValue = () =>
    Array.from({ length: random(12) }, () => pieces[random(pieces.length)]).join("");

  it("should read back exactly what it wrote, \\r\\n inside values included", () => {
    for (let round = 0; round < 2000; round++) {
      const pairs = [
        { name: "A", value: randomValue() },
        { name: "B_2", value: randomValue() },
      ];
      expect({ round, pairs: parseEnv(formatEnv(pairs)) }).toEqual({ round, pairs });
      expect(parseJson(formatJson(pairs))).toEqual(pairs);
    }
  });

  it("should keep \\r\\n inside quotes and drop it at the end of a line", () => {
    expect(parseEnv("A='x\r\ny'\r\nB=2\r\n")).toEqual([
      { name: "A", value: "x\r\ny" },
      { name: "B", value: "2" },
    ]);
  });

  it("should refuse NUL in .env, which JSON keeps", () => {
    const pairs = [{ name: "N", value: "a\0b" }];
    expect(() => formatEnv(pairs)).toThrow("NUL");
    expect(parseJson(formatJson(pairs))).toEqual(pairs);
  });
});
