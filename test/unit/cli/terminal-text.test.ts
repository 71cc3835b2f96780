// Control and bidi characters are escaped in human output, everything else kept.

import { describe, expect, it } from "bun:test";
import { escapeControl } from "../../../src/cli/terminal-text.ts";

describe("escapeControl", () => {
  it("should escape C0, DEL, C1 and bidi controls", () => {
    expect(escapeControl("a\u001b]0;x\u0007b")).toBe("a\\x1b]0;x\\x07b");
    expect(escapeControl("l1\nl2\r\tz\u007f\u009b")).toBe("l1\\nl2\\r\\tz\\x7f\\x9b");
    expect(escapeControl("abc\u202edef\u2066")).toBe("abc\\u202edef\\u2066");
  });

  it("should keep ordinary text, Unicode included", () => {
    const text = "café 日本 — naïve [redacted] \\x";
    expect(escapeControl(text)).toBe(text);
  });
});
