// ack and extend check the lease inside their UPDATE; when it does not match,
// the caller must still get the precise reason (and nothing may change).

import { describe, expect, test } from "bun:test";
import { join } from "node:path";
import { BusyError, NotFoundError, openStore, type Store } from "../../../src/index.ts";
import { tempDir } from "../../helpers/tmp.ts";

function storeAt(clock: { now: number }): Store {
  return openStore({ path: join(tempDir(), "lease.db"), now: () => clock.now });
}

describe("lease checks of ack and extend", () => {
  test("a valid lease with its token: ack completes, extend moves locked_until", () => {
    const clock = { now: 1_000 };
    using store = storeAt(clock);
    const id = store.queue.enqueue("q", { a: 1 });
    const job = store.queue.dequeue("q", { lease: 100 });
    const token = job?.leaseToken ?? "";
    clock.now = 1_050;
    expect(store.queue.extend(id, 500, { token })).toMatchObject({ lockedUntil: 1_550 });
    clock.now = 1_500; // past the first lease, inside the extended one
    store.queue.ack(id, { token });
    expect(store.queue.get(id)).toMatchObject({ status: "completed", leaseToken: null });
  });

  test.each([
    ["ack", (s: Store, id: number, token?: string) => s.queue.ack(id, { token })],
    ["extend", (s: Store, id: number, token?: string) => s.queue.extend(id, 100, { token })],
  ] as const)("%s refuses with the reason, changing nothing", (_, act) => {
    const clock = { now: 1_000 };
    using store = storeAt(clock);
    expect(() => act(store, 99)).toThrow(new NotFoundError("no job 99"));

    const id = store.queue.enqueue("q", {});
    expect(() => act(store, id)).toThrow(new BusyError(`job ${id} is not held: it is pending`));

    store.queue.dequeue("q", { lease: 100 });
    expect(() => act(store, id, "not-the-token")).toThrow(
      new BusyError(`job ${id} is held by another claim`),
    );
    const held = store.queue.get(id);

    clock.now = 1_100; // the lease ends at 1_100: expired, not held
    expect(() => act(store, id)).toThrow(
      new BusyError(`job ${id} is no longer held: its lease expired`),
    );
    expect(store.queue.get(id)).toEqual(held);
  });
});
