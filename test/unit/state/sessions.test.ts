import { describe, expect, it } from "bun:test";
import { NotFoundError, UsageError } from "../../../src/errors.ts";
import { testStore } from "../../helpers/store.ts";

describe("sessions", () => {
  it("should create and read back a session with every field", () => {
    const { store, clock } = testStore();
    const s = store.sessions.create({
      id: "s1",
      channel: "slack",
      userId: "u7",
      metadata: { lang: "en" },
    });
    expect(s).toEqual({
      id: "s1",
      channel: "slack",
      userId: "u7",
      state: "active",
      metadata: { lang: "en" },
      createdAt: clock.now,
      updatedAt: clock.now,
      agent: null,
      parentId: null,
      forkedAt: null,
      expiresAt: null,
      lastMessageAt: null,
    });
    expect(store.sessions.get("s1")).toEqual(s);
    expect(store.sessions.get("nope")).toBeNull();
  });

  it("should generate ids and refuse duplicates", () => {
    const { store } = testStore();
    const a = store.sessions.create();
    expect(a.id).toMatch(/^[0-9a-f-]{36}$/);
    expect(() => store.sessions.create({ id: a.id })).toThrow(UsageError);
  });

  it("should list newest first, filtered by state, page by page", () => {
    const { store, clock } = testStore();
    for (let i = 0; i < 5; i++) {
      store.sessions.create({ id: `s${i}`, state: i % 2 ? "closed" : "active" });
      clock.advance(1000);
    }
    expect(store.sessions.list().map((s) => s.id)).toEqual(["s4", "s3", "s2", "s1", "s0"]);
    expect(store.sessions.list({ state: "closed" }).map((s) => s.id)).toEqual(["s3", "s1"]);
    expect(store.sessions.list({ limit: 2 }).map((s) => s.id)).toEqual(["s4", "s3"]);
    expect(store.sessions.list({ limit: 2, offset: 2 }).map((s) => s.id)).toEqual(["s2", "s1"]);
    expect(() => store.sessions.list({ limit: 0 })).toThrow(UsageError);
  });

  it("should update the state and the update time", () => {
    const { store, clock } = testStore();
    store.sessions.create({ id: "s" });
    clock.advance(5000);
    const s = store.sessions.updateState("s", "closed");
    expect(s.state).toBe("closed");
    expect(s.updatedAt).toBe(clock.now);
    expect(s.createdAt).toBe(clock.now - 5000);
    expect(() => store.sessions.updateState("missing", "closed")).toThrow(NotFoundError);
  });

  it("should delete a session with its messages", () => {
    const { store } = testStore();
    store.sessions.create({ id: "a" });
    store.sessions.create({ id: "b" });
    store.messages.append("a", { role: "user", content: "1" });
    store.messages.append("b", { role: "user", content: "2" });
    store.sessions.delete("a");
    expect(store.sessions.get("a")).toBeNull();
    expect(store.messages.count("a")).toBe(0);
    expect(store.messages.count("b")).toBe(1);
    expect(() => store.sessions.delete("a")).toThrow(NotFoundError);
  });
});
