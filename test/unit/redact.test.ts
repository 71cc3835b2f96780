// The redactor every line to stderr goes through: token shapes and vault values.

import { describe, expect, it } from "bun:test";
import { MASK, maskRule, Redactor, redactJson, redactTokens } from "../../src/redact.ts";

describe("Redactor", () => {
  it("should mask known token shapes", () => {
    const r = new Redactor();
    for (const token of [
      "sk-ant-api03-abcdefghijklmnopqrstuvwxyz",
      "ghp_abcdefghijklmnopqrstuvwxyz0123",
      "sk_live_abcdefghijklmnop1234",
      "glpat-abcdefghijklmnopqrstu",
      "hf_abcdefghijklmnopqrstuvwxyz01234567",
      "xoxb-1234567890-abcdef",
    ]) {
      expect(r.redact(`token=${token} end`)).toBe(`token=${MASK} end`);
    }
    expect(r.redact("Authorization: Bearer abc.def.ghi-123")).toBe(`Authorization: Bearer ${MASK}`);
  });

  it("should mask the shortest match of every token shape, alone", () => {
    const r = new Redactor();
    for (const token of [
      `sk-${"a".repeat(16)}`,
      `ghp_${"a".repeat(20)}`,
      `github_pat_${"a".repeat(20)}`,
      `xoxb-${"a".repeat(10)}`,
      `AKIA${"A".repeat(16)}`,
      `AIza${"a".repeat(35)}`,
      `eyJ${"a".repeat(8)}.${"a".repeat(8)}.${"a".repeat(8)}`,
      `sk_live_${"a".repeat(16)}`,
      `glpat-${"a".repeat(20)}`,
      `hf_${"a".repeat(30)}`,
      `npm_${"a".repeat(36)}`,
      `xapp-${"a".repeat(10)}`,
    ]) {
      expect(r.redact(token)).toBe(MASK);
    }
    expect(r.redact("Basic 12345678")).toBe(`Basic ${MASK}`);
    expect(r.redact("Basic 1234567")).toBe("Basic 1234567");
  });

  it("should mask every registered value, longest first, and leave short ones alone", () => {
    const r = new Redactor();
    r.add("hunter2hunter2");
    r.add("hunter2");
    r.add("abc");
    expect(r.redact("a hunter2hunter2 b hunter2 c abc")).toBe(`a ${MASK} b ${MASK} c abc`);
  });
});

describe("Redactor, more shapes", () => {
  it("should mask AWS key ids and JWTs, and leave ordinary text alone", () => {
    const r = new Redactor();
    for (const s of [
      "AKIAABCDEFGHIJKLMNOP",
      "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.abcdefghijklmnop",
    ]) {
      expect(r.redact(`token=${s}!`)).toBe(`token=${MASK}!`);
    }
    r.add("swordfish");
    expect(r.redact("store is busy: retry later")).toBe("store is busy: retry later");
  });
});

describe("Redactor, short and word-like values", () => {
  it("should never mask a value under 4 characters", () => {
    const r = new Redactor();
    for (const v of ["h", "ab", "x y"]) r.add(v);
    expect(r.size).toBe(0);
    const path = "/root/.pyenv/shims:/usr/local/bin:/usr/bin";
    expect(r.redact(path)).toBe(path);
  });

  it("should mask a short word-like value only as a whole word", () => {
    const r = new Redactor();
    r.add("after");
    expect(r.redact("after_free after x-after afterwards (after)")).toBe(
      `after_free ${MASK} x-${MASK} afterwards (${MASK})`,
    );
  });

  it("should mask a long or non-word value wherever it appears", () => {
    const r = new Redactor();
    r.add("abcdefghijklmnop"); // 16 characters: anywhere
    r.add("p@ss"); // not word-like: anywhere
    expect(r.redact("xabcdefghijklmnopx top@ssy")).toBe(`x${MASK}x to${MASK}y`);
  });

  it("should follow one rule for text and streams", () => {
    expect(maskRule("abc")).toBe("skip");
    expect(maskRule("abcd")).toBe("whole-word");
    expect(maskRule("abcdefghijklmno")).toBe("whole-word");
    expect(maskRule("abcdefghijklmnop")).toBe("anywhere");
    expect(maskRule("ab-d")).toBe("anywhere");
  });
});

describe("redactJson", () => {
  it("should redact every string, keys included, and keep the structure", () => {
    const r = new Redactor();
    r.add("hunter22");
    const value = { a: ["x hunter22", 1, null, true], hunter22: { b: "ok" }, ["__proto__"]: "p" };
    const out = redactJson(JSON.parse(JSON.stringify(value)), (t) => r.redact(t));
    expect(out).toEqual({
      a: [`x ${MASK}`, 1, null, true],
      [MASK]: { b: "ok" },
      ["__proto__"]: "p",
    });
    expect(Object.getPrototypeOf(out)).toBe(Object.prototype);
  });

  it("should leave text alone that only token shapes could match, with redactTokens", () => {
    expect(redactTokens("after ghp_abcdefghijklmnopqrstuvwxyz0123")).toBe(`after ${MASK}`);
  });
});
