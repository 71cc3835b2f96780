// SEC-08 before storage: message content and metadata and a job's last error
// are stored redacted, through the Store's `redact` option; payloads as given.

import { describe, expect, it } from "bun:test";
import { UsageError } from "../../../src/errors.ts";
import { MASK, Redactor } from "../../../src/redact.ts";
import { createVault } from "../../../src/vault/open.ts";
import { TEST_ONLY_KDF_BOUNDS, TEST_ONLY_KDF_PARAMS } from "../../../src/vault/testing.ts";
import { testStore } from "../../helpers/store.ts";

const TOKEN = "ghp_abcdefghijklmnopqrstuvwxyz0123";

function rawColumn(store: ReturnType<typeof testStore>["store"], sql: string): unknown[] {
  return store.db
    .query(sql)
    .all()
    .map((r) => Object.values(r as object)[0]);
}

describe("redaction before storage", () => {
  it("should store message content and metadata with vault values and token shapes masked", async () => {
    const redactor = new Redactor();
    const { store } = testStore({ redact: (t) => redactor.redact(t) });
    const vault = await createVault(store, "pw", TEST_ONLY_KDF_PARAMS, {
      kdfBounds: TEST_ONLY_KDF_BOUNDS,
      onReveal: (v) => redactor.addBytes(v),
    });
    await vault.set("DB_PASSWORD", new TextEncoder().encode("correct-horse-battery"));
    store.sessions.create({ id: "s" });
    const m = store.messages.append("s", {
      role: "tool",
      content: `login with correct-horse-battery, token ${TOKEN}`,
      metadata: { args: ["correct-horse-battery"], nested: { t: TOKEN }, n: 1 },
    });
    expect(m.content).toBe(`login with ${MASK}, token ${MASK}`);
    expect(m.metadata).toEqual({ args: [MASK], nested: { t: MASK }, n: 1 });
    const stored = rawColumn(store, "SELECT content || metadata FROM messages").join("");
    expect(stored).not.toContain("correct-horse-battery");
    expect(stored).not.toContain(TOKEN);
    store.close();
  });

  it("should mask token shapes by default, and store job payloads exactly", () => {
    const { store } = testStore();
    store.sessions.create({ id: "s" });
    expect(store.messages.append("s", { role: "user", content: `x ${TOKEN}` }).content).toBe(
      `x ${MASK}`,
    );
    const id = store.queue.enqueue("q", { token: TOKEN });
    const job = store.queue.dequeue("q");
    expect(job?.payload).toEqual({ token: TOKEN });
    const failed = store.queue.fail(id, `upstream said ${TOKEN}`, { retryDelay: 0 });
    expect(failed.lastError).toBe(`upstream said ${MASK}`);
    expect(rawColumn(store, "SELECT last_error FROM jobs")).toEqual([`upstream said ${MASK}`]);
    store.close();
  });

  it("should take any redact function, the identity included", () => {
    const { store } = testStore({ redact: (t) => t });
    store.sessions.create({ id: "s" });
    expect(store.messages.append("s", { role: "user", content: TOKEN }).content).toBe(TOKEN);
    store.close();
  });
});

describe("queue names", () => {
  it("should refuse control characters", () => {
    const { store } = testStore();
    for (const name of [
      "a\nb",
      "esc\u001b[31m",
      "bell\u0007",
      "del\u007f",
      "c1\u009b",
      "rlo\u202e",
    ]) {
      expect(() => store.queue.enqueue(name, {})).toThrow(UsageError);
    }
    expect(store.queue.enqueue("émails-ünicode", {})).toBeGreaterThan(0);
    store.close();
  });
});
