import { describe, expect, it } from "bun:test";
import { MASK, Redactor } from "../../src/redact.ts";

describe("Redactor", () => {
  it("should mask known token shapes", () => {
    const r = new Redactor();
    const samples = [
      "sk-proj-abcdefghijklmnopqrstuvwxyz0123",
      "ghp_abcdefghijklmnopqrstuvwxyz0123456789",
      "xoxb-1234567890-abcdefghij",
      "AKIAABCDEFGHIJKLMNOP",
      "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.abcdefghijklmnop",
    ];
    for (const s of samples) expect(r.redact(`token=${s}!`)).toBe(`token=${MASK}!`);
    expect(r.redact("Authorization: Bearer abc.def-ghi_jkl")).toBe(`Authorization: Bearer ${MASK}`);
  });

  it("should mask every registered value, longest first", () => {
    const r = new Redactor();
    r.add("hunter2-secret");
    r.add("hunter2-secret-longer");
    r.add("ab"); // too short to mask on its own
    expect(r.redact("a hunter2-secret-longer and hunter2-secret, ab")).toBe(
      `a ${MASK} and ${MASK}, ab`,
    );
    expect(r.size).toBe(2);
  });

  it("should leave ordinary text alone", () => {
    const r = new Redactor();
    r.add("swordfish");
    expect(r.redact("store is busy: retry later")).toBe("store is busy: retry later");
  });
});
