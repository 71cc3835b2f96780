// JSON columns refuse what JSON.stringify would change or SQLite would refuse.

import { describe, expect, it } from "bun:test";
import { UsageError } from "../../../src/errors.ts";
import { toJsonText } from "../../../src/state/json.ts";
import { testStore } from "../../helpers/store.ts";

const nest = (n: number): unknown => {
  let v: unknown = 1;
  for (let i = 0; i < n; i++) v = [v];
  return v;
};

describe("toJsonText", () => {
  it("should refuse non-finite numbers anywhere", () => {
    for (const bad of [Number.POSITIVE_INFINITY, Number.NaN, { a: [1, -Infinity] }]) {
      expect(() => toJsonText(bad, "payload")).toThrow("number JSON cannot represent");
    }
  });

  it("should take 1000 levels and refuse 1001, however deep, without overflowing", () => {
    expect(() => toJsonText(nest(1000), "payload")).not.toThrow();
    expect(() => toJsonText(nest(1001), "payload")).toThrow("deeper than 1000 levels");
    expect(() => toJsonText(nest(200_000), "payload")).toThrow(UsageError);
    const cycle: Record<string, unknown> = {};
    cycle.self = cycle;
    expect(() => toJsonText(cycle, "payload")).toThrow(UsageError);
  });

  it("should refuse text over the byte limit", () => {
    expect(toJsonText("ab", "payload", 4)).toBe('"ab"');
    expect(() => toJsonText("abc", "payload", 4)).toThrow("over the 4 bytes limit");
  });
});

describe("limits in the library", () => {
  it("should refuse message content over 4 MiB, lone surrogates and a payload over 1 MiB", () => {
    const { store } = testStore();
    store.sessions.create({ id: "s" });
    const content = "x".repeat(4 * 1024 * 1024);
    expect(store.messages.append("s", { role: "user", content }).content.length).toBe(
      content.length,
    );
    expect(() => store.messages.append("s", { role: "user", content: `${content}y` })).toThrow(
      "4 MiB limit",
    );
    expect(() => store.messages.append("s", { role: "user", content: "a\ud800" })).toThrow(
      UsageError,
    );
    expect(() => store.queue.enqueue("q", "x".repeat(1024 * 1024))).toThrow("1 MiB limit");
    expect(() =>
      store.messages.append("s", { role: "user", content: "", metadata: { n: NaN } }),
    ).toThrow("number JSON cannot represent");
  });
});
