// The address classifier against the vectors in test/vectors/ip-classes.json:
// pure string work, no address in this file is ever connected to.

import { describe, expect, it } from "bun:test";
import { classifyIp } from "../../../src/net/ip-class.ts";
import { formatIp, parseIp } from "../../../src/net/ip-parse.ts";
import vectors from "../../vectors/ip-classes.json";

const classes = vectors.classes as [string, string][];

describe("classifyIp", () => {
  it.each(classes)("should class %s as %s", (address, expected) => {
    expect(classifyIp(address)).toBe(expected as never);
  });

  it.each(vectors.notAddresses)("should not take %p for an address", (text) => {
    expect(parseIp(text)).toBeUndefined();
  });

  it("should agree with the URL parser on every IPv4 spelling it accepts", () => {
    // The URL parser canonicalises a host first; the class must not change.
    for (const [address, expected] of classes) {
      if (address.includes(":") || address.endsWith(".") || address.includes("%")) continue;
      const host = new URL(`http://${address}/`).hostname;
      expect(parseIp(host) && formatIp((parseIp(host) as { bytes: Uint8Array }).bytes)).toBe(host);
      expect(classifyIp(host)).toBe(expected as never);
    }
  });

  it("should agree with the URL parser on IPv6 spellings", () => {
    for (const [address, expected] of classes) {
      if (!address.includes(":") || address.includes("%")) continue;
      const bracketed = address.startsWith("[") ? address : `[${address}]`;
      const host = new URL(`http://${bracketed}/`).hostname;
      expect(formatIp((parseIp(host) as { bytes: Uint8Array }).bytes)).toBe(host.slice(1, -1));
      expect(classifyIp(host)).toBe(expected as never);
    }
  });
});

describe("formatIp", () => {
  it("should print RFC 5952 text", () => {
    const cases: [string, string][] = [
      ["0:0:0:0:0:0:0:1", "::1"],
      ["2001:db8:0:0:1:0:0:1", "2001:db8::1:0:0:1"],
      ["2001:db8:0:1:1:1:1:1", "2001:db8:0:1:1:1:1:1"],
      ["::ffff:127.0.0.1", "::ffff:7f00:1"],
      ["0x7f.1", "127.0.0.1"],
    ];
    for (const [text, canonical] of cases) {
      expect(formatIp((parseIp(text) as { bytes: Uint8Array }).bytes)).toBe(canonical);
    }
  });
});
