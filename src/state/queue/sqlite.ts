// A crash-safe, at-least-once job queue. A claim is a lease: the job is held
// until `locked_until`; if its worker dies the lease runs out and the job can
// be claimed again, until its attempts are spent and it is marked failed.
// The SQL lives beside it: ./sqlite-claim.ts (the hot path), ./sqlite-admin.ts
// (reads, retries, purges, schedules), ./sqlite-graph.ts (groups, parents).

import type { StoreCore } from "../../store/core.ts";
import {
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
} from "../job.ts";
import { checkClaimLimit, checkEnqueue, checkLease, checkRetryDelay } from "./rules.ts";
import type { Schedule, ScheduleSpec } from "./schedule-rules.ts";
import {
  addSchedule,
  getJob,
  listJobs,
  listSchedules,
  purgeJobs,
  queueStats,
  removeSchedule,
  retryAllJobs,
  retryJob,
} from "./sqlite-admin.ts";
import {
  ackJob,
  claimJobs,
  extendJob,
  failJob,
  releaseJob,
  settleAndClaimJob,
} from "./sqlite-claim.ts";
import { insertJob } from "./sqlite-graph.ts";
import { ANY_DUE, NEXT_DUE } from "./sqlite-sql.ts";
import type { WaitOptions } from "./wait.ts";
import type { JobHandler, WorkOptions, WorkResult } from "./work.ts";

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
    private readonly store: StoreCore,
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
    return claimJobs(this.store, queue, 1, checkLease(options.lease))[0] ?? null;
  }

  /**
   * Claims up to `limit` due jobs in one transaction (a worker running jobs
   * side by side), highest priority then oldest first, each with its own
   * lease token. Returns [] when none is due.
   */
  dequeueMany(queue: string, limit: number, options: { lease?: number } = {}): Job[] {
    checkClaimLimit(limit);
    return claimJobs(this.store, queue, limit, checkLease(options.lease));
  }

  /** Marks a held job completed. */
  ack(id: number, options: LeaseOptions = {}): void {
    ackJob(this.store, id, options);
  }

  /** Acks several held jobs in one transaction: all of them, or none if one is not held. */
  ackMany(claims: readonly { id: number; token?: string | null | undefined }[]): void {
    this.store.write(() => {
      for (const claim of claims) ackJob(this.store, claim.id, { token: claim.token ?? undefined });
    });
  }

  /**
   * Records `error` on a held job and sends it back to pending after a backoff,
   * or to failed once its attempts are spent. Returns the job as it now is.
   */
  fail(id: number, error: string, options: LeaseOptions & { retryDelay?: number } = {}): Job {
    checkRetryDelay(options.retryDelay);
    return failJob(this.store, id, error, options, this.backoff);
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
    const claim = next ? { queue: next.queue, lease: checkLease(next.lease) } : undefined;
    return settleAndClaimJob(this.store, id, settle, claim, this.backoff);
  }

  /** Hands a held job back to pending, its attempt not counted (a worker stopping before it finished). */
  release(id: number, options: LeaseOptions = {}): void {
    releaseJob(this.store, id, options);
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
  async waitForJobs(queues: readonly string[], options: WaitOptions = {}): Promise<boolean> {
    // The waiter and the loop load when first used: a command that only reads the queue does not.
    return (await import("./sqlite-work.ts")).waitOn(this.store, this, queues, options);
  }

  /**
   * Runs `handler` for each job of `queue` until `options.signal` aborts: acked
   * when it returns, failed with its error when it throws, the lease extended
   * meanwhile, the next job claimed in the transaction that settles the last.
   */
  async work(queue: string, handler: JobHandler, options: WorkOptions = {}): Promise<WorkResult> {
    return (await import("./sqlite-work.ts")).workOn(this.store, this, queue, handler, options);
  }

  /** Pushes the lease of a held job to `lease` ms from now. */
  extend(id: number, lease: number = DEFAULT_LEASE_MS, options: LeaseOptions = {}): Job {
    checkLease(lease);
    return extendJob(this.store, id, lease, options);
  }

  get(id: number): Job | null {
    return getJob(this.store, id);
  }

  list(
    queue: string,
    options: { status?: JobStatus; limit?: number; offset?: number } = {},
  ): Job[] {
    return listJobs(this.store, queue, options);
  }

  /** Job counts by status, for one queue or for each queue. */
  stats(queue?: string): QueueStats[] {
    return queueStats(this.store, queue);
  }

  /** Sends a failed (dead) job back to pending with fresh attempts. */
  retry(id: number): Job {
    return retryJob(this.store, id);
  }

  /** Retries every failed job of `queue`; returns how many. */
  retryAll(queue: string): number {
    return retryAllJobs(this.store, queue);
  }

  /** Deletes completed and failed jobs last touched more than `olderThan` ms ago. */
  purge(options: { olderThan: number; queue?: string }): number {
    return purgeJobs(this.store, options);
  }

  /**
   * Adds (or replaces) a recurring job: each occurrence of `spec` is enqueued
   * on `queue` once, by whichever claim comes first; missed ones give one job.
   */
  addSchedule(name: string, queue: string, spec: ScheduleSpec): Schedule {
    return addSchedule(this.store, name, queue, spec);
  }

  /** Every schedule, by name. */
  schedules(): Schedule[] {
    return listSchedules(this.store);
  }

  /** Removes a schedule (exit 3 if there is none by that name); its jobs already enqueued stay. */
  removeSchedule(name: string): void {
    removeSchedule(this.store, name);
  }
}
