// .env quoting and parsing, and the JSON import shape.

import { describe, expect, it } from "bun:test";
import { UsageError } from "../../../src/errors.ts";
import { formatEnv, parseEnv, parseJson, quote } from "../../../src/vault/dotenv.ts";

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
