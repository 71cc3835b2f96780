// A claim looks for expired leases and due schedules only when one may be
// there (src/state/queue/sqlite-housekeeping.ts): each case here is one way
// what it remembers could go stale, and the claim must still find the job.

import { Database } from "bun:sqlite";
import { describe, expect, test } from "bun:test";
import { testStore } from "../../helpers/store.ts";

describe("claims after what they remember went stale", () => {
  test("a lease shortened by extend is reclaimed once it runs out", () => {
    const { store, clock } = testStore();
    using _ = store;
    const id = store.queue.enqueue("q", { a: 1 });
    const job = store.queue.dequeue("q", { lease: 60_000 });
    store.queue.extend(id, 100, { token: job?.leaseToken ?? undefined });
    clock.advance(200);
    expect(store.queue.dequeue("q")).toMatchObject({ id, attempts: 2 });
  });

  test("a lease another connection wrote is seen", () => {
    const { store, clock, path } = testStore();
    using _ = store;
    expect(store.queue.dequeue("q")).toBeNull();
    const id = store.queue.enqueue("q", {});
    expect(store.queue.dequeue("other")).toBeNull();
    const other = new Database(path);
    other.run("PRAGMA busy_timeout = 5000");
    other
      .query(
        "UPDATE jobs SET status = 'processing', attempts = 1, locked_until = ?, lease_token = 'x' WHERE id = ?",
      )
      .run(clock.now + 10, id);
    other.close();
    expect(store.queue.dequeue("q")).toBeNull(); // held, its lease not run out
    clock.advance(20);
    expect(store.queue.dequeue("q")).toMatchObject({ id, attempts: 2 });
  });

  test("a schedule added after a claim looked is fired when due", () => {
    const { store, clock } = testStore();
    using _ = store;
    expect(store.queue.dequeue("q")).toBeNull();
    store.queue.addSchedule("tick", "q", { every: 1000, payload: { t: 1 } });
    clock.advance(1000);
    expect(store.queue.dequeue("q")).toMatchObject({ payload: { t: 1 } });
  });

  test("a reclaim rolled back with its transaction is done again", () => {
    const { store, clock } = testStore();
    using _ = store;
    const id = store.queue.enqueue("q", {});
    store.queue.dequeue("q", { lease: 100 });
    clock.advance(200);
    expect(() =>
      store.write(() => {
        expect(store.queue.dequeue("q")).toMatchObject({ id, attempts: 2 });
        throw new Error("roll back");
      }),
    ).toThrow("roll back");
    expect(store.queue.dequeue("q")).toMatchObject({ id, attempts: 2 });
  });
});
