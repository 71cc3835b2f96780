import { describe, expect, it } from "bun:test";
import { BusyError, NotFoundError, UsageError } from "../../../src/errors.ts";
import { defaultBackoff } from "../../../src/state/queue/sqlite.ts";
import { testStore } from "../../helpers/store.ts";

const fixedBackoff = { backoff: (attempt: number) => 1000 * 2 ** (attempt - 1) };

describe("queue", () => {
  it("should enqueue, claim and ack a job", () => {
    const { store, clock } = testStore();
    const id = store.queue.enqueue("mail", { to: "a@b" });
    const job = store.queue.dequeue("mail", { lease: 60_000 });
    expect(job).toMatchObject({
      id,
      queue: "mail",
      payload: { to: "a@b" },
      status: "processing",
      attempts: 1,
    });
    expect(job?.lockedUntil).toBe(clock.now + 60_000);
    expect(job?.leaseToken).toBeString();
    expect(store.queue.dequeue("mail")).toBeNull();
    store.queue.ack(id);
    expect(store.queue.get(id)?.status).toBe("completed");
  });

  it("should claim by highest priority, then oldest", () => {
    const { store } = testStore();
    const low = store.queue.enqueue("q", 1);
    const high1 = store.queue.enqueue("q", 2, { priority: 5 });
    const high2 = store.queue.enqueue("q", 3, { priority: 5 });
    const order = [1, 2, 3].map(() => store.queue.dequeue("q")?.id);
    expect(order).toEqual([high1, high2, low]);
  });

  it("should not hand out a delayed job before it is due", () => {
    const { store, clock } = testStore();
    const id = store.queue.enqueue("q", {}, { delay: 10_000 });
    expect(store.queue.dequeue("q")).toBeNull();
    clock.advance(10_000);
    expect(store.queue.dequeue("q")?.id).toBe(id);
  });

  it("should keep queues apart", () => {
    const { store } = testStore();
    store.queue.enqueue("a", 1);
    expect(store.queue.dequeue("b")).toBeNull();
    expect(store.queue.dequeue("a")).not.toBeNull();
  });

  it("should return the live job for a dedupe key, and allow it again once done", () => {
    const { store } = testStore();
    const first = store.queue.enqueue("q", 1, { dedupeKey: "k" });
    expect(store.queue.enqueue("q", 2, { dedupeKey: "k" })).toBe(first);
    store.queue.dequeue("q");
    expect(store.queue.enqueue("q", 3, { dedupeKey: "k" })).toBe(first); // processing still counts
    store.queue.ack(first);
    const second = store.queue.enqueue("q", 4, { dedupeKey: "k" });
    expect(second).not.toBe(first);
    expect(store.queue.enqueue("other", 5, { dedupeKey: "k" })).not.toBe(second);
  });

  it("should reclaim a job whose lease expired, counting the attempt", () => {
    const { store, clock } = testStore();
    const id = store.queue.enqueue("q", {});
    const first = store.queue.dequeue("q", { lease: 1000 });
    expect(store.queue.dequeue("q")).toBeNull(); // lease still valid
    clock.advance(1000);
    const second = store.queue.dequeue("q", { lease: 1000 });
    expect(second?.id).toBe(id);
    expect(second?.attempts).toBe(2);
    expect(second?.leaseToken).not.toBe(first?.leaseToken);
    // The first worker's claim is gone: its token no longer acks.
    expect(() => store.queue.ack(id, { token: first?.leaseToken ?? "" })).toThrow(BusyError);
    store.queue.ack(id, { token: second?.leaseToken ?? "" });
  });

  it("should fail a job for good when its worker keeps dying", () => {
    const { store, clock } = testStore();
    const id = store.queue.enqueue("q", {}, { maxAttempts: 2 });
    store.queue.dequeue("q", { lease: 100 });
    clock.advance(100);
    store.queue.dequeue("q", { lease: 100 });
    clock.advance(100);
    expect(store.queue.dequeue("q")).toBeNull();
    const job = store.queue.get(id);
    expect(job?.status).toBe("failed");
    expect(job?.lastError).toMatch(/lease expired on attempt 2 of 2/);
  });

  it("should retry a failed attempt after exponential backoff, then mark it dead", () => {
    const { store, clock } = testStore({ queue: fixedBackoff });
    const id = store.queue.enqueue("q", {}, { maxAttempts: 3 });
    const delays: number[] = [];
    for (let attempt = 1; attempt <= 2; attempt++) {
      store.queue.dequeue("q");
      const job = store.queue.fail(id, `error ${attempt}`);
      expect(job.status).toBe("pending");
      expect(job.lastError).toBe(`error ${attempt}`);
      delays.push(job.runAt - clock.now);
      expect(store.queue.dequeue("q")).toBeNull(); // not before the backoff
      clock.advance(job.runAt - clock.now);
    }
    expect(delays).toEqual([1000, 2000]);
    store.queue.dequeue("q");
    const dead = store.queue.fail(id, "final");
    expect(dead.status).toBe("failed");
    expect(dead.attempts).toBe(3);
    expect(store.queue.list("q", { status: "failed" }).map((j) => j.id)).toEqual([id]);
  });

  it("should back off from 1 s, doubling, capped at 5 min, with jitter", () => {
    for (let i = 0; i < 50; i++) {
      const d1 = defaultBackoff(1);
      expect(d1).toBeGreaterThanOrEqual(750);
      expect(d1).toBeLessThanOrEqual(1250);
      const d4 = defaultBackoff(4);
      expect(d4).toBeGreaterThanOrEqual(6000);
      expect(d4).toBeLessThanOrEqual(10_000);
      expect(defaultBackoff(30)).toBeLessThanOrEqual(300_000);
      expect(defaultBackoff(30)).toBeGreaterThanOrEqual(225_000);
    }
    const samples = new Set(Array.from({ length: 20 }, () => defaultBackoff(3)));
    expect(samples.size).toBeGreaterThan(1);
  });

  it("should refuse ack, fail and extend of a job that is not held", () => {
    const { store, clock } = testStore();
    const id = store.queue.enqueue("q", {});
    expect(() => store.queue.ack(id)).toThrow(BusyError); // pending
    expect(() => store.queue.ack(999)).toThrow(NotFoundError);
    store.queue.dequeue("q", { lease: 1000 });
    clock.advance(1000);
    expect(() => store.queue.ack(id)).toThrow(/lease expired/);
    expect(() => store.queue.fail(id, "x")).toThrow(BusyError);
    expect(() => store.queue.extend(id, 1000)).toThrow(BusyError);
  });

  it("should extend a lease so the job is not reclaimed", () => {
    const { store, clock } = testStore();
    const id = store.queue.enqueue("q", {});
    store.queue.dequeue("q", { lease: 1000 });
    clock.advance(900);
    expect(store.queue.extend(id, 5000).lockedUntil).toBe(clock.now + 5000);
    clock.advance(1000);
    expect(store.queue.dequeue("q")).toBeNull();
    store.queue.ack(id);
  });

  it("should retry dead jobs one by one or all at once", () => {
    const { store } = testStore();
    const a = store.queue.enqueue("q", "a", { maxAttempts: 1 });
    const b = store.queue.enqueue("q", "b", { maxAttempts: 1 });
    for (const id of [a, b]) {
      store.queue.dequeue("q");
      store.queue.fail(id, "nope");
    }
    expect(() => store.queue.retry(a + 100)).toThrow(NotFoundError);
    const retried = store.queue.retry(a);
    expect(retried).toMatchObject({ status: "pending", attempts: 0 });
    expect(() => store.queue.retry(a)).toThrow(BusyError); // pending, not failed
    expect(store.queue.retryAll("q")).toBe(1);
    expect(store.queue.stats("q")).toEqual([
      { queue: "q", pending: 2, processing: 0, completed: 0, failed: 0 },
    ]);
  });

  it("should purge settled jobs older than the given age only", () => {
    const { store, clock } = testStore();
    const old = store.queue.enqueue("q", 1);
    store.queue.dequeue("q");
    store.queue.ack(old);
    clock.advance(10_000);
    const recent = store.queue.enqueue("q", 2);
    store.queue.dequeue("q");
    store.queue.ack(recent);
    const waiting = store.queue.enqueue("q", 3);
    expect(store.queue.purge({ olderThan: 5000 })).toBe(1);
    expect(store.queue.get(old)).toBeNull();
    expect(store.queue.get(recent)?.status).toBe("completed");
    expect(store.queue.get(waiting)?.status).toBe("pending");
    // Ids are never reused after a purge.
    expect(store.queue.enqueue("q", 4)).toBeGreaterThan(waiting);
  });

  it("should give stats per queue", () => {
    const { store } = testStore();
    store.queue.enqueue("a", 1);
    store.queue.enqueue("a", 2);
    store.queue.enqueue("b", 3);
    store.queue.dequeue("a");
    expect(store.queue.stats()).toEqual([
      { queue: "a", pending: 1, processing: 1, completed: 0, failed: 0 },
      { queue: "b", pending: 1, processing: 0, completed: 0, failed: 0 },
    ]);
    expect(store.queue.stats("none")).toEqual([
      { queue: "none", pending: 0, processing: 0, completed: 0, failed: 0 },
    ]);
  });

  it("should refuse bad arguments without writing anything", () => {
    const { store } = testStore();
    expect(() => store.queue.enqueue("", {})).toThrow(UsageError);
    expect(() => store.queue.enqueue("q", {}, { maxAttempts: 0 })).toThrow(UsageError);
    expect(() => store.queue.enqueue("q", {}, { delay: -1 })).toThrow(UsageError);
    expect(() => store.queue.enqueue("q", {}, { priority: 1.5 })).toThrow(UsageError);
    expect(() => store.queue.enqueue("q", undefined)).toThrow(UsageError);
    expect(() => store.queue.dequeue("q", { lease: 0 })).toThrow(UsageError);
    expect(store.queue.stats()).toEqual([]);
  });
});

describe("queue batches", () => {
  it("should enqueue many in order and claim many by priority, then age, each with its own token", () => {
    const { store, clock } = testStore();
    const ids = store.queue.enqueueMany("q", [1, 2, 3, 4, 5]);
    expect(ids).toEqual([1, 2, 3, 4, 5]);
    const urgent = store.queue.enqueue("q", "urgent", { priority: 9 });
    const jobs = store.queue.dequeueMany("q", 3, { lease: 1000 });
    expect(jobs.map((j) => j.id)).toEqual([urgent, 1, 2]);
    expect(new Set(jobs.map((j) => j.leaseToken)).size).toBe(3);
    for (const j of jobs)
      expect(j).toMatchObject({ status: "processing", attempts: 1, lockedUntil: clock.now + 1000 });
    expect(store.queue.dequeueMany("q", 10).map((j) => j.id)).toEqual([3, 4, 5]);
    expect(store.queue.dequeueMany("q", 10)).toEqual([]);
  });

  it("should ack many all or nothing", () => {
    const { store } = testStore();
    store.queue.enqueueMany("q", ["a", "b", "c"]);
    const [a, b, c] = store.queue.dequeueMany("q", 3);
    if (!a || !b || !c) throw new Error("expected three claims");
    store.queue.ack(c.id);
    const claims = [a, b, c].map((j) => ({ id: j.id, token: j.leaseToken }));
    expect(() => store.queue.ackMany(claims)).toThrow(BusyError); // c is no longer held
    expect(store.queue.get(a.id)?.status).toBe("processing");
    store.queue.ackMany(claims.slice(0, 2));
    expect(store.queue.stats("q")).toEqual([
      { queue: "q", pending: 0, processing: 0, completed: 3, failed: 0 },
    ]);
  });

  it("should refuse a batch size out of range", () => {
    const { store } = testStore();
    expect(() => store.queue.dequeueMany("q", 0)).toThrow(UsageError);
    expect(() => store.queue.dequeueMany("q", 1001)).toThrow(UsageError);
    expect(() => store.queue.enqueueMany("q", [1, undefined])).toThrow(UsageError);
    expect(store.queue.stats()).toEqual([]);
  });
});
