// allowed_private_ips entries: what is accepted, what is refused and why, in
// the library option and in the config file. Pure parsing, no network.

import { describe, expect, it } from "bun:test";
import { parseConfig } from "../../../src/config-schema.ts";
import { UsageError } from "../../../src/errors.ts";
import { allowEntryProblem, matchRule, parseAllowlist } from "../../../src/net/allowlist.ts";
import { parseIp } from "../../../src/net/ip-parse.ts";

const bytes = (text: string) => (parseIp(text) as { bytes: Uint8Array }).bytes;

describe("allowlist", () => {
  it("should accept addresses and CIDR ranges, IPv4 and IPv6", () => {
    for (const entry of [
      "127.0.0.1",
      "127.0.0.0/8",
      "10.1.2.3",
      "0.0.0.0/0",
      "::1",
      "fd00::/8",
      "::/0",
      "fe80::/10",
    ]) {
      expect(allowEntryProblem(entry)).toBeUndefined();
    }
  });

  it.each([
    ["localhost", "not an IP address"],
    ["127.1", "not an IP address"],
    ["0177.0.0.1", "not an IP address"],
    ["2130706433", "not an IP address"],
    ["127.0.0.1/33", "prefix length must be 0 to 32"],
    ["::1/129", "prefix length must be 0 to 128"],
    ["127.0.0.0/08", "prefix length"],
    ["127.0.0.0/", "prefix length"],
    ["127.0.0.1/8", "bits set after the prefix length"],
    ["127.0.0.0/8/8", "not an IP address"],
    ["", "not an IP address"],
  ])("should refuse %p (%s)", (entry, problem) => {
    expect(allowEntryProblem(entry)).toContain(problem);
    expect(() => parseAllowlist([entry])).toThrow(UsageError);
  });

  it("should match inside a range and nowhere else", () => {
    const rules = parseAllowlist(["127.0.0.0/30", "::1"]);
    expect(matchRule(rules, bytes("127.0.0.3"))?.text).toBe("127.0.0.0/30");
    expect(matchRule(rules, bytes("127.0.0.4"))).toBeUndefined();
    expect(matchRule(rules, bytes("::1"))?.text).toBe("::1");
    expect(matchRule(rules, bytes("::2"))).toBeUndefined();
    // An IPv4 rule never matches an IPv6 address by itself (the caller unwraps ::ffff:).
    expect(matchRule(rules, bytes("::ffff:127.0.0.1"))).toBeUndefined();
  });
});

describe("config [security]", () => {
  it("should read allowed_private_ips", () => {
    const config = parseConfig(
      `[security]\nallowed_private_ips = ["127.0.0.1", "fd00::/8"]\n`,
      "c.toml",
    );
    expect(config.security).toEqual({ allowed_private_ips: ["127.0.0.1", "fd00::/8"] });
  });

  it.each([
    [
      `allowed_private_ips = ["10.0.0.0/33"]`,
      /security\.allowed_private_ips\.0: "10\.0\.0\.0\/33": the prefix length/,
    ],
    [
      `allowed_private_ips = ["127.0.0.1", "intranet"]`,
      /security\.allowed_private_ips\.1: "intranet" is not an IP/,
    ],
    [`allowed_private_ips = "127.0.0.1"`, /security\.allowed_private_ips: must be an array/],
    [`allowed_private_ips = [1]`, /security\.allowed_private_ips\.0: must be a string/],
    [`allowed_ips = []`, /security\.allowed_ips: unknown key/],
  ])("should refuse %s, naming the key", (line, message) => {
    expect(() => parseConfig(`[security]\n${line}\n`, "c.toml")).toThrow(message);
  });
});
