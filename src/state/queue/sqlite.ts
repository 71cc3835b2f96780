// A crash-safe, at-least-once job queue. A claim is a lease: the job is held
// until `locked_until`; if its worker dies the lease runs out and the job can
// be claimed again, until its attempts are spent and it is marked failed.

import { InternalError, NotFoundError } from "../../errors.ts";
import type { Store } from "../../store/store.ts";
import {
  DEFAULT_LEASE_MS,
  DEFAULT_MAX_ATTEMPTS,
  defaultBackoff,
  type EnqueueOptions,
  emptyStats,
  JOB_STATUSES,
  type Job,
  type JobStatus,
  type LeaseOptions,
  type QueueOptions,
  type QueueStats,
  toJob,
} from "../job.ts";
import {
  asSeen,
  checkClaimLimit,
  checkEnqueue,
  checkLease,
  checkListOptions,
  checkPurgeAge,
  checkRetryDelay,
  dedupeTakenError,
  heldError,
  retryError,
  storedError,
} from "./rules.ts";
import { checkSchedule, type Schedule, type ScheduleSpec, toSchedule } from "./schedule-rules.ts";
import { fireSchedules, insertJob, parentFailed, upsertSchedule } from "./sqlite-graph.ts";
import {
  ACK_HELD,
  ANY_DUE,
  CLAIM_DUE,
  CLAIM_NEXT,
  LIVE_BY_KEY,
  NEXT_DUE,
  RECLAIM_EXPIRED,
  RELEASE_HELD,
  RETRY_ALL,
  SEEN_STATUS,
} from "./sqlite-sql.ts";
import { storeWaiter, storeWorkPort } from "./sqlite-work.ts";
import { type WaitOptions, waitOnce } from "./wait.ts";
import { type JobHandler, runWorker, type WorkOptions, type WorkResult } from "./work.ts";

export {
  DEFAULT_LEASE_MS,
  DEFAULT_MAX_ATTEMPTS,
  defaultBackoff,
  type EnqueueOptions,
  JOB_STATUSES,
  type Job,
  type JobStatus,
  type LeaseOptions,
  type QueueOptions,
  type QueueStats,
};

export class Queue {
  private readonly backoff: (attempt: number) => number;

  constructor(
    private readonly store: Store,
    options: QueueOptions = {},
  ) {
    this.backoff = options.backoff ?? defaultBackoff;
  }

  private get db() {
    return this.store.db;
  }

  /** Adds a job; returns its id (or the id of the live job with the same dedupe key). */
  enqueue(queue: string, payload: unknown, options: EnqueueOptions = {}): number {
    const args = checkEnqueue(queue, payload, options);
    const key = args.dedupeKey;
    return this.store.write(() => {
      if (key !== null) {
        const live = this.db
          .query(
            `SELECT id FROM jobs WHERE queue = ? AND dedupe_key = ?
             AND status IN ('pending', 'processing')`,
          )
          .get(queue, key) as { id: number } | null;
        if (live) return live.id;
      }
      return insertJob(this.db, args, this.store.now());
    });
  }

  /** Adds several jobs to one queue in one transaction; returns their ids in order. */
  enqueueMany(
    queue: string,
    payloads: readonly unknown[],
    options: Omit<EnqueueOptions, "dedupeKey"> = {},
  ): number[] {
    return this.store.write(() => payloads.map((payload) => this.enqueue(queue, payload, options)));
  }

  /** Claims the next due job of `queue` for `lease` ms, or returns null when none is due. */
  dequeue(queue: string, options: { lease?: number } = {}): Job | null {
    return this.#claim(queue, 1, checkLease(options.lease))[0] ?? null;
  }

  /**
   * Claims up to `limit` due jobs in one transaction (a worker running jobs
   * side by side), highest priority then oldest first, each with its own
   * lease token. Returns [] when none is due.
   */
  dequeueMany(queue: string, limit: number, options: { lease?: number } = {}): Job[] {
    checkClaimLimit(limit);
    return this.#claim(queue, limit, checkLease(options.lease));
  }

  // #private: not a public method of the API (the Client's types are derived from those).
  #claim(queue: string, limit: number, lease: number): Job[] {
    return this.store.write(() => {
      const now = this.store.now();
      this.reclaimExpired(queue, now);
      fireSchedules(this.db, queue, now);
      // One job: `id = (…)` runs as a single index probe, cheaper than `IN (…)` on the hot path.
      const rows =
        limit === 1
          ? [this.db.query(CLAIM_NEXT).get(now + lease, now, queue)].filter((r) => r !== null)
          : this.db.query(CLAIM_DUE).all(now + lease, now, queue, limit);
      // RETURNING gives rows in no promised order.
      return rows.map(toJob).sort((a, b) => b.priority - a.priority || a.id - b.id);
    });
  }

  /**
   * Leases that ran out mean the worker died: the job goes back to pending,
   * or to failed when that was its last attempt.
   */
  private reclaimExpired(queue: string, now: number): void {
    const rows = this.db.query(RECLAIM_EXPIRED).all(now, queue) as { id: number; status: string }[];
    for (const r of rows) if (r.status === "failed") parentFailed(this.db, r.id, now);
  }

  /** Marks a held job completed. */
  ack(id: number, options: LeaseOptions = {}): void {
    this.store.write(() => {
      const now = this.store.now();
      // The lease check is part of the update: one statement on the hot path.
      const { changes } = this.db.query(ACK_HELD).run(now, id, options.token ?? null);
      if (changes === 0) throw this.notHeld(id, options.token, now);
    });
  }

  /** Acks several held jobs in one transaction: all of them, or none if one is not held. */
  ackMany(claims: readonly { id: number; token?: string | null | undefined }[]): void {
    this.store.write(() => {
      for (const claim of claims) this.ack(claim.id, { token: claim.token ?? undefined });
    });
  }

  /**
   * Records `error` on a held job and sends it back to pending after a backoff,
   * or to failed once its attempts are spent. Returns the job as it now is.
   */
  fail(id: number, error: string, options: LeaseOptions & { retryDelay?: number } = {}): Job {
    checkRetryDelay(options.retryDelay);
    return this.store.write(() => {
      const now = this.store.now();
      const job = this.requireHeld(id, options.token, now);
      const dead = job.attempts >= job.maxAttempts;
      const delay = options.retryDelay ?? this.backoff(job.attempts);
      const row = this.db
        .query(
          `UPDATE jobs SET status = ?, last_error = ?, run_at = ?, locked_until = NULL,
             lease_token = NULL, updated_at = ? WHERE id = ? RETURNING *`,
        )
        .get(
          dead ? "failed" : "pending",
          storedError(error, this.store.redact),
          dead ? job.runAt : now + delay,
          now,
          id,
        );
      if (dead) parentFailed(this.db, id, now);
      return toJob(row);
    });
  }

  /**
   * Settles a held job (acked, or failed with `error`) and, in the same
   * transaction, claims the next due job of `next.queue`: one write per job.
   */
  settleAndClaim(
    id: number,
    settle: LeaseOptions & { error?: string | undefined },
    next?: { queue: string; lease?: number | undefined },
  ): Job | null {
    const lease = next ? checkLease(next.lease) : 0;
    return this.store.write(() => {
      if (settle.error === undefined) this.ack(id, settle);
      else this.fail(id, settle.error, settle);
      if (!next) return null;
      // The claim of dequeue, without its own (nested) transaction: this is the worker's hot path.
      const now = this.store.now();
      this.reclaimExpired(next.queue, now);
      fireSchedules(this.db, next.queue, now);
      const row = this.db.query(CLAIM_NEXT).get(now + lease, now, next.queue);
      return row ? toJob(row) : null;
    });
  }

  /** Hands a held job back to pending, its attempt not counted (a worker stopping before it finished). */
  release(id: number, options: LeaseOptions = {}): void {
    this.store.write(() => {
      const now = this.store.now();
      const { changes } = this.db.query(RELEASE_HELD).run(now, id, options.token ?? null);
      if (changes === 0) throw this.notHeld(id, options.token, now);
    });
  }

  /** Whether a job of `queue` is claimable now, else in how many ms one may be (null: none waits). */
  due(queue: string): { due: boolean; nextInMs: number | null } {
    return this.store.read(() => {
      const now = this.store.now();
      if (this.db.query(ANY_DUE).get(null, now, queue)) return { due: true, nextInMs: 0 };
      const row = this.db.query(NEXT_DUE).get(now, queue) as { t: number | null } | null;
      return { due: false, nextInMs: row?.t == null ? null : Math.max(0, row.t - now) };
    });
  }

  /** Resolves true once a job of one of `queues` is claimable, false on timeout or abort; never polls fast. */
  waitForJobs(queues: readonly string[], options: WaitOptions = {}): Promise<boolean> {
    return waitOnce(() => storeWaiter(this.store, this, queues), options);
  }

  /**
   * Runs `handler` for each job of `queue` until `options.signal` aborts: acked
   * when it returns, failed with its error when it throws, the lease extended
   * meanwhile, the next job claimed in the transaction that settles the last.
   */
  work(queue: string, handler: JobHandler, options: WorkOptions = {}): Promise<WorkResult> {
    return storeWorkPort(this.store, this, queue).then((port) => runWorker(port, handler, options));
  }

  /** Pushes the lease of a held job to `lease` ms from now. */
  extend(id: number, lease: number = DEFAULT_LEASE_MS, options: LeaseOptions = {}): Job {
    checkLease(lease);
    return this.store.write(() => {
      const now = this.store.now();
      const row = this.db
        .query(
          `UPDATE jobs SET locked_until = ?1, updated_at = ?2
           WHERE id = ?3 AND status = 'processing' AND locked_until > ?2
             AND (?4 IS NULL OR lease_token = ?4)
           RETURNING *`,
        )
        .get(now + lease, now, id, options.token ?? null);
      if (!row) throw this.notHeld(id, options.token, now);
      return toJob(row);
    });
  }

  get(id: number): Job | null {
    const row = this.store.read(() => this.db.query("SELECT * FROM jobs WHERE id = ?").get(id));
    return row ? toJob(row) : null;
  }

  list(
    queue: string,
    options: { status?: JobStatus; limit?: number; offset?: number } = {},
  ): Job[] {
    const { status, limit, offset } = checkListOptions(options);
    const now = this.store.now();
    const rows = this.store.read(() =>
      this.db
        .query(
          `SELECT * FROM jobs WHERE queue = ?2 AND (?3 IS NULL OR ${SEEN_STATUS} = ?3)
           ORDER BY id LIMIT ?4 OFFSET ?5`,
        )
        .all(now, queue, status, limit, offset),
    );
    return rows.map((row) => asSeen(toJob(row), now));
  }

  /** Job counts by status, for one queue or for each queue. */
  stats(queue?: string): QueueStats[] {
    const rows = this.store.read(() =>
      this.db
        .query(
          `SELECT queue, ${SEEN_STATUS} AS status, count(*) AS n FROM jobs
           WHERE ?2 IS NULL OR queue = ?2 GROUP BY 1, 2 ORDER BY queue`,
        )
        .all(this.store.now(), queue ?? null),
    ) as { queue: string; status: JobStatus; n: number }[];
    const byQueue = new Map<string, QueueStats>();
    if (queue !== undefined) byQueue.set(queue, emptyStats(queue));
    for (const row of rows) {
      const stats = byQueue.get(row.queue) ?? emptyStats(row.queue);
      stats[row.status] = row.n;
      byQueue.set(row.queue, stats);
    }
    return [...byQueue.values()];
  }

  /** Sends a failed (dead) job back to pending with fresh attempts. */
  retry(id: number): Job {
    return this.store.write(() => {
      const job = this.get(id);
      const why = retryError(id, job);
      if (why) throw why;
      if (job?.dedupeKey != null) {
        const live = this.db.query(LIVE_BY_KEY).get(job.queue, job.dedupeKey) as {
          id: number;
        } | null;
        if (live) throw dedupeTakenError(id, job.dedupeKey, live.id);
      }
      const now = this.store.now();
      const row = this.db
        .query(
          `UPDATE jobs SET status = 'pending', attempts = 0, run_at = ?1, updated_at = ?1
           WHERE id = ?2 RETURNING *`,
        )
        .get(now, id);
      return toJob(row);
    });
  }

  /** Retries every failed job of `queue`; returns how many. */
  retryAll(queue: string): number {
    return this.store.write(() => {
      const now = this.store.now();
      return this.db.query(RETRY_ALL).run(now, queue).changes;
    });
  }

  /** Deletes completed and failed jobs last touched more than `olderThan` ms ago. */
  purge(options: { olderThan: number; queue?: string }): number {
    const age = checkPurgeAge(options.olderThan);
    return this.store.write(() => {
      const cutoff = this.store.now() - age;
      return this.db
        .query(
          `DELETE FROM jobs WHERE status IN ('completed', 'failed') AND updated_at < ?1
           AND (?2 IS NULL OR queue = ?2)`,
        )
        .run(cutoff, options.queue ?? null).changes;
    });
  }

  /**
   * Adds (or replaces) a recurring job: each occurrence of `spec` is enqueued
   * on `queue` once, by whichever claim comes first; missed ones give one job.
   */
  addSchedule(name: string, queue: string, spec: ScheduleSpec): Schedule {
    const args = checkSchedule(name, queue, spec);
    return this.store.write(() => upsertSchedule(this.db, args, this.store.now()));
  }

  /** Every schedule, by name. */
  schedules(): Schedule[] {
    const rows = this.store.read(() =>
      this.db.query("SELECT * FROM schedules ORDER BY name").all(),
    );
    return rows.map((r) => toSchedule(r as Record<string, unknown>));
  }

  /** Removes a schedule (exit 3 if there is none by that name); its jobs already enqueued stay. */
  removeSchedule(name: string): void {
    this.store.write(() => {
      const { changes } = this.db.query("DELETE FROM schedules WHERE name = ?").run(name);
      if (changes === 0) throw new NotFoundError(`no schedule '${name}'`);
    });
  }

  /** Why `token` does not hold job `id` at `now`, as the error to throw. */
  private notHeld(id: number, token: string | undefined, now: number): Error {
    try {
      this.requireHeld(id, token, now);
    } catch (err) {
      return err as Error;
    }
    return new InternalError(`job ${id}: the lease check disagreed with the store`);
  }

  /** The job if `token` (or anyone, without one) holds a valid lease on it at `now`; else throws why not. */
  private requireHeld(id: number, token: string | undefined, now: number): Job {
    const job = this.get(id);
    const why = heldError(id, job, token, now);
    if (why || !job) throw why;
    return job;
  }
}
