// A durable write (synchronous FULL for its commit) nested in another write:
// SQLite cannot raise the safety level mid-transaction, so joining a
// non-durable transaction must be refused, not silently downgraded.

import { describe, expect, test } from "bun:test";
import { join } from "node:path";
import { InternalError, openStore } from "../../../src/index.ts";
import { tempDir } from "../../helpers/tmp.ts";

const FULL = 2;
const NORMAL = 1;

function synchronous(store: ReturnType<typeof openStore>): number {
  return (store.db.query("PRAGMA synchronous").get() as { synchronous: number }).synchronous;
}

describe("durable writes", () => {
  test("a top-level durable write commits under FULL, then the store is back to NORMAL", () => {
    using store = openStore({ path: join(tempDir(), "d.db") });
    const seen = store.write(() => synchronous(store), { durable: true });
    expect([seen, synchronous(store)]).toEqual([FULL, NORMAL]);
  });

  test("nested in a durable write, a durable write joins it", () => {
    using store = openStore({ path: join(tempDir(), "d.db") });
    store.write(
      () => {
        store.write(() => store.sessions.create({ id: "inner" }), { durable: true });
      },
      { durable: true },
    );
    expect(store.sessions.get("inner")).not.toBeNull();
  });

  test("nested in a non-durable write, a durable write is refused and nothing is kept", () => {
    using store = openStore({ path: join(tempDir(), "d.db") });
    expect(() =>
      store.write(() => {
        store.sessions.create({ id: "outer" });
        store.write(() => store.sessions.create({ id: "inner" }), { durable: true });
      }),
    ).toThrow(InternalError);
    expect(store.sessions.count()).toBe(0);
    expect(store.db.inTransaction).toBe(false);
  });

  test("a store opened with synchronous FULL is durable throughout", () => {
    using store = openStore({ path: join(tempDir(), "d.db"), synchronous: "FULL" });
    store.write(() => {
      store.write(() => store.sessions.create({ id: "inner" }), { durable: true });
    });
    expect(store.sessions.get("inner")).not.toBeNull();
  });
});
