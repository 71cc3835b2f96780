// The redactor every line to stderr goes through: token shapes and vault values.

import { describe, expect, it } from "bun:test";
import { MASK, Redactor } from "../../src/redact.ts";

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
