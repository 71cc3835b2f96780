// The SQLite queue's hot path: claims, acks, failures, releases and lease
// extensions, each inside the caller's write transaction (store.write nests).

import { InternalError } from "../../errors.ts";
import type { StoreCore } from "../../store/core.ts";
import type { SyncResult } from "../../store/tx.ts";
import { type Job, type LeaseOptions, toJob } from "../job.ts";
import { heldError, storedError } from "./rules.ts";
import { getJob } from "./sqlite-admin.ts";
import { parentFailed } from "./sqlite-graph.ts";
import { forgetHousekeeping, housekeep, leased } from "./sqlite-housekeeping.ts";
import { ACK_HELD, CLAIM_DUE, CLAIM_NEXT, RELEASE_HELD } from "./sqlite-sql.ts";

/** Claims up to `limit` due jobs of `queue` for `lease` ms, highest priority then oldest first. */
export function claimJobs(store: StoreCore, queue: string, limit: number, lease: number): Job[] {
  return outermost(store, (trusted) => {
    const now = store.now();
    housekeep(store.db, queue, now, trusted);
    // One job: `id = (…)` runs as a single index probe, cheaper than `IN (…)` on the hot path.
    const rows =
      limit === 1
        ? [store.db.query(CLAIM_NEXT).get(now + lease, now, queue)].filter((r) => r !== null)
        : store.db.query(CLAIM_DUE).all(now + lease, now, queue, limit);
    if (rows.length > 0) leased(store.db, queue, now + lease);
    // RETURNING gives rows in no promised order.
    return rows.map(toJob).sort((a, b) => b.priority - a.priority || a.id - b.id);
  });
}

/**
 * Settles a held job (acked, or failed with `error`) and, in the same
 * transaction, claims the next due job of `next.queue`: the worker's hot path.
 */
export function settleAndClaimJob(
  store: StoreCore,
  id: number,
  settle: LeaseOptions & { error?: string | undefined },
  next: { queue: string; lease: number } | undefined,
  backoff: (attempt: number) => number,
): Job | null {
  return outermost(store, (trusted) => {
    if (settle.error === undefined) ackJob(store, id, settle);
    else failJob(store, id, settle.error, settle, backoff);
    if (!next) return null;
    const now = store.now();
    housekeep(store.db, next.queue, now, trusted);
    const row = store.db.query(CLAIM_NEXT).get(now + next.lease, now, next.queue);
    if (!row) return null;
    leased(store.db, next.queue, now + next.lease);
    return toJob(row);
  });
}

/**
 * Runs `fn` in a write transaction, told whether it is the outermost one
 * (what it reads then commits with it); if anything fails, the claims'
 * memory of what is due is dropped, as the transaction may have rolled back.
 */
function outermost<T>(store: StoreCore, fn: (trusted: boolean) => T): T {
  const trusted = !store.db.inTransaction;
  try {
    return store.write(() => fn(trusted) as SyncResult<T>);
  } catch (err) {
    forgetHousekeeping(store.db);
    throw err;
  }
}

/** Marks a held job completed. */
export function ackJob(store: StoreCore, id: number, options: LeaseOptions): void {
  store.write(() => {
    const now = store.now();
    // The lease check is part of the update: one statement on the hot path.
    const { changes } = store.db.query(ACK_HELD).run(now, id, options.token ?? null);
    if (changes === 0) throw notHeld(store, id, options.token, now);
  });
}

/** Records `error` on a held job: back to pending after `backoff`, or failed once its attempts are spent. */
export function failJob(
  store: StoreCore,
  id: number,
  error: string,
  options: LeaseOptions & { retryDelay?: number | undefined },
  backoff: (attempt: number) => number,
): Job {
  return store.write(() => {
    const now = store.now();
    const job = requireHeld(store, id, options.token, now);
    const dead = job.attempts >= job.maxAttempts;
    const delay = options.retryDelay ?? backoff(job.attempts);
    const row = store.db
      .query(
        `UPDATE jobs SET status = ?, last_error = ?, run_at = ?, locked_until = NULL,
           lease_token = NULL, updated_at = ? WHERE id = ? RETURNING *`,
      )
      .get(
        dead ? "failed" : "pending",
        storedError(error, store.redact),
        dead ? job.runAt : now + delay,
        now,
        id,
      );
    if (dead) parentFailed(store.db, id, now);
    return toJob(row);
  });
}

/** Hands a held job back to pending, its attempt not counted. */
export function releaseJob(store: StoreCore, id: number, options: LeaseOptions): void {
  store.write(() => {
    const now = store.now();
    const { changes } = store.db.query(RELEASE_HELD).run(now, id, options.token ?? null);
    if (changes === 0) throw notHeld(store, id, options.token, now);
  });
}

/** Pushes the lease of a held job to `lease` ms from now. */
export function extendJob(store: StoreCore, id: number, lease: number, options: LeaseOptions): Job {
  return store.write(() => {
    const now = store.now();
    const row = store.db
      .query(
        `UPDATE jobs SET locked_until = ?1, updated_at = ?2
         WHERE id = ?3 AND status = 'processing' AND locked_until > ?2
           AND (?4 IS NULL OR lease_token = ?4)
         RETURNING *`,
      )
      .get(now + lease, now, id, options.token ?? null);
    if (!row) throw notHeld(store, id, options.token, now);
    const job = toJob(row);
    leased(store.db, job.queue, now + lease);
    return job;
  });
}

/** Why `token` does not hold job `id` at `now`, as the error to throw. */
function notHeld(store: StoreCore, id: number, token: string | undefined, now: number): Error {
  try {
    requireHeld(store, id, token, now);
  } catch (err) {
    return err as Error;
  }
  return new InternalError(`job ${id}: the lease check disagreed with the store`);
}

/** The job if `token` (or anyone, without one) holds a valid lease on it at `now`; else throws why not. */
function requireHeld(store: StoreCore, id: number, token: string | undefined, now: number): Job {
  const job = getJob(store, id);
  const why = heldError(id, job, token, now);
  if (why || !job) throw why;
  return job;
}
