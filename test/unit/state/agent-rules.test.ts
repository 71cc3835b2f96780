// The agent model's rules, engine-free: cursors, --where matches, search words and snippets.

import { describe, expect, it } from "bun:test";
import { UsageError } from "../../../src/errors.ts";
import { checkSlug } from "../../../src/state/agents/rules.ts";
import { checkSearch, ftsQuery, snippet, tsQuery } from "../../../src/state/messages/search.ts";
import {
  checkListSessions,
  checkPrune,
  decodeCursor,
  encodeCursor,
} from "../../../src/state/sessions/listing.ts";

describe("session cursors", () => {
  it("should round-trip (created_at, id), ids with dots and non-ASCII included", () => {
    for (const id of ["s1", "a.b.c", "ünï 🦊", "x".repeat(512)]) {
      const cursor = encodeCursor({ createdAt: 1_700_000_000_123, id });
      expect(decodeCursor(cursor)).toEqual({ createdAt: 1_700_000_000_123, id });
    }
  });

  it("should refuse anything that is not a cursor it made, as a usage error", () => {
    const good = encodeCursor({ createdAt: 5, id: "s" });
    for (const bad of ["", "!!", "abc", `${good}=`, Buffer.from("x.y").toString("base64url")]) {
      expect(() => decodeCursor(bad)).toThrow(UsageError);
    }
  });
});

describe("--where", () => {
  it("should match the string, and a JSON literal as itself", () => {
    const q = checkListSessions({ where: { team: "red", n: "3", ok: "true", z: "03" } });
    expect(q.where.map((w) => w.texts)).toEqual([
      ['"red"', '"red"'],
      ['"3"', "3"],
      ['"true"', "true"],
      ['"03"', '"03"'],
    ]);
  });

  it("should refuse a key with a quote or a control character", () => {
    expect(() => checkListSessions({ where: { 'a"b': "x" } })).toThrow(UsageError);
    expect(() => checkListSessions({ where: { "a\nb": "x" } })).toThrow(UsageError);
  });
});

describe("prune", () => {
  it("should need a criterion", () => {
    expect(() => checkPrune({})).toThrow(UsageError);
    expect(checkPrune({ state: "done", dryRun: true })).toMatchObject({
      state: "done",
      dryRun: true,
    });
  });
});

describe("search", () => {
  it("should keep letters and digits only, lower-cased, each once", () => {
    const q = checkSearch('Fox "OR" fox* NEAR(x) 42');
    expect(q.words).toEqual(["fox", "or", "near", "x", "42"]);
    expect(ftsQuery(q.words)).toBe('"fox" "or" "near" "x" "42"');
    expect(tsQuery(q.words)).toBe("fox & or & near & x & 42");
    expect(() => checkSearch("  !? ")).toThrow(UsageError);
  });

  it("should cut a one-line snippet around the first match, marking each match", () => {
    expect(snippet("The Fox\nand the fox.", ["fox"])).toBe("The [Fox] and the [fox].");
    const long = `${"a ".repeat(60)}fox${" b".repeat(60)}`;
    const cut = snippet(long, ["fox"]);
    expect(cut).toStartWith("…");
    expect(cut).toEndWith("…");
    expect(cut).toContain("[fox]");
    expect(snippet(`${"🦊".repeat(50)} fox`, ["fox"]).isWellFormed()).toBe(true);
  });
});

describe("slugs", () => {
  it("should be the vault's scope alphabet", () => {
    expect(checkSlug("bot-1.a:b_c")).toBe("bot-1.a:b_c");
    for (const bad of ["", "-x", "a b", "a/b", "x".repeat(129)]) {
      expect(() => checkSlug(bad)).toThrow(UsageError);
    }
  });
});
