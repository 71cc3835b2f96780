import { describe, expect, it } from "bun:test";
import { NotFoundError, UsageError } from "../../../src/errors.ts";
import type { Role } from "../../../src/index.ts";
import { testStore } from "../../helpers/store.ts";

describe("messages", () => {
  it("should append and list in the order appended, even with equal times", () => {
    const { store } = testStore();
    store.sessions.create({ id: "s" });
    const contents = ["one", "two", "three", "four"];
    for (const content of contents) store.messages.append("s", { role: "user", content });
    expect(store.messages.list("s").map((m) => m.content)).toEqual(contents);
  });

  it("should keep role, token count and metadata", () => {
    const { store, clock } = testStore();
    store.sessions.create({ id: "s" });
    const m = store.messages.append("s", {
      role: "tool",
      content: "{}",
      tokenCount: 12,
      metadata: { tool: "search" },
    });
    expect(m).toMatchObject({
      sessionId: "s",
      role: "tool",
      tokenCount: 12,
      metadata: { tool: "search" },
    });
    expect(m.createdAt).toBe(clock.now);
  });

  it("should return the last N oldest first, and count", () => {
    const { store } = testStore();
    store.sessions.create({ id: "s" });
    for (let i = 0; i < 10; i++)
      store.messages.append("s", { role: "assistant", content: `m${i}` });
    expect(store.messages.last("s", 3).map((m) => m.content)).toEqual(["m7", "m8", "m9"]);
    expect(store.messages.count("s")).toBe(10);
    expect(store.messages.list("s", { limit: 2, offset: 4 }).map((m) => m.content)).toEqual([
      "m4",
      "m5",
    ]);
  });

  it("should refuse a bad role, a bad token count and a missing session", () => {
    const { store } = testStore();
    store.sessions.create({ id: "s" });
    expect(() => store.messages.append("s", { role: "robot" as Role, content: "x" })).toThrow(
      UsageError,
    );
    expect(() =>
      store.messages.append("s", { role: "user", content: "x", tokenCount: -1 }),
    ).toThrow(UsageError);
    expect(() => store.messages.append("missing", { role: "user", content: "x" })).toThrow(
      NotFoundError,
    );
    expect(store.messages.count()).toBe(0);
  });
});
