// The masked preview of secret list: never more than 8 characters or a third.

import { describe, expect, it } from "bun:test";
import { FULL_MASK, maskedPreview } from "../../../src/vault/preview.ts";

describe("maskedPreview", () => {
  it("should show a vendor prefix and the last four characters", () => {
    expect(maskedPreview("sk-abcdefghijklmnop4f2b")).toBe("sk-...4f2b");
    expect(maskedPreview("ghp_abcdefghijklmnopqrstuvwx1234")).toBe("ghp_...1234");
  });

  it("should never reveal more than 8 characters or a third of the value", () => {
    for (let n = 0; n < 80; n++) {
      const value = "x".repeat(n);
      const shown = maskedPreview(value).replace("...", "").replace(FULL_MASK, "");
      expect(shown.length).toBeLessThanOrEqual(Math.min(8, Math.floor(n / 3)));
    }
  });

  it("should mask short values fully, hiding their length", () => {
    expect(maskedPreview("hunter2")).toBe(FULL_MASK);
    expect(maskedPreview("a")).toBe(FULL_MASK);
  });
});
