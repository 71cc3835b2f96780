// The key rules grammar of SPEC §13 and what each rule allows.

import { describe, expect, it } from "bun:test";
import {
  allows,
  generateKey,
  hashKey,
  KEY_PATTERN,
  parseRules,
  sameHash,
} from "../../../src/state/keys/rules.ts";

describe("key rules", () => {
  it("parses every form of the grammar and refuses anything else (exit 2)", () => {
    expect(
      parseRules(
        "sessions, sessions:read,agents,agents:read,queue:mail,queue:jobs-*,queue:*,secrets:*,secrets:agent-1:read,admin",
      ),
    ).toHaveLength(10);
    expect(parseRules("")).toEqual([]);
    expect(parseRules("admin,admin")).toEqual(["admin"]);
    for (const bad of [
      "root",
      "queue:",
      "sessions:write",
      "secrets:",
      "secrets:-a",
      "queue:a*b",
      "admin:read",
      "queue:a b",
    ]) {
      expect(() => parseRules(bad), bad).toThrow(expect.objectContaining({ code: 2 }));
    }
  });

  it("grants reads to :read rules and writes only to full ones", () => {
    expect(allows(["sessions:read"], { area: "sessions", write: false })).toBe(true);
    expect(allows(["sessions:read"], { area: "sessions", write: true })).toBe(false);
    expect(allows(["sessions"], { area: "sessions", write: true })).toBe(true);
    expect(allows(["sessions"], { area: "agents", write: false })).toBe(false);
    expect(allows(["secrets:a:read"], { area: "secrets", scope: "a", write: false })).toBe(true);
    expect(allows(["secrets:a:read"], { area: "secrets", scope: "a", write: true })).toBe(false);
    expect(allows(["secrets:a"], { area: "secrets", scope: "b", write: false })).toBe(false);
    expect(allows(["secrets:*"], { area: "secrets", scope: "b", write: true })).toBe(true);
    // A vault scope may hold ":" (agent:7): only a final ":read" makes a rule read-only.
    expect(
      allows(["secrets:agent:7:read"], { area: "secrets", scope: "agent:7", write: false }),
    ).toBe(true);
    expect(
      allows(["secrets:agent:7:read"], { area: "secrets", scope: "agent:7", write: true }),
    ).toBe(false);
    expect(allows(["secrets:agent:7"], { area: "secrets", scope: "agent:7", write: true })).toBe(
      true,
    );
    // A listing (scope null) needs some secrets rule.
    expect(allows(["secrets:a:read"], { area: "secrets", scope: null, write: false })).toBe(true);
    expect(allows(["sessions"], { area: "secrets", scope: null, write: false })).toBe(false);
  });

  it("matches queue names exactly, or by a trailing *", () => {
    expect(allows(["queue:mail"], { area: "queue", queue: "mail" })).toBe(true);
    expect(allows(["queue:mail"], { area: "queue", queue: "mail2" })).toBe(false);
    expect(allows(["queue:mail*"], { area: "queue", queue: "mail2" })).toBe(true);
    expect(allows(["queue:*"], { area: "queue", queue: "anything" })).toBe(true);
  });

  it("gives admin only admin, and no rules only nothing", () => {
    expect(allows(["admin"], { area: "admin" })).toBe(true);
    expect(allows(["admin"], { area: "queue", queue: "q" })).toBe(false);
    expect(allows([], { area: "sessions", write: false })).toBe(false);
  });

  it("makes 256-bit keys of the documented shape, compared by hash", () => {
    const a = generateKey();
    expect(a).toMatch(KEY_PATTERN);
    expect(Buffer.from(a.slice(4), "base64url")).toHaveLength(32);
    expect(generateKey()).not.toBe(a);
    expect(sameHash(hashKey(a), hashKey(a))).toBe(true);
    expect(sameHash(hashKey(a), hashKey(generateKey()))).toBe(false);
  });
});
