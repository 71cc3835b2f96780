// The job queue on PostgreSQL. Rules (validation, errors) come from
// ./rules.ts, the row shape from ../job.ts; time is the server's (now_ms()).
// The SQL lives beside it: ./postgres-claim.ts (the hot path),
// ./postgres-admin.ts (reads, retries, purges, schedules), ./postgres-graph.ts.

import type { SQL } from "bun";
import { inPgTransaction, type PgHandle, runPg } from "../../engines/postgres/handle.ts";
import { redactTokens } from "../../redact.ts";
import {
  DEFAULT_LEASE_MS,
  defaultBackoff,
  type EnqueueOptions,
  type Job,
  type JobStatus,
  type LeaseOptions,
  type QueueOptions,
  type QueueStats,
} from "../job.ts";
import {
  addPgSchedule,
  getPgJob,
  listPgJobs,
  listPgSchedules,
  pgQueueStats,
  purgePgJobs,
  removePgSchedule,
  retryAllPgJobs,
  retryPgJob,
} from "./postgres-admin.ts";
import {
  ackPgJob,
  ackPgJobs,
  claimPgJobs,
  extendPgJob,
  failPgJob,
  type PgFailPolicy,
  releasePgJob,
  settleAndClaimPg,
} from "./postgres-claim.ts";
import { insertPgJob } from "./postgres-graph.ts";
import { jobChannel } from "./postgres-rows.ts";
import { DUE, INSERT_JOB, INSERT_JOBS } from "./postgres-sql.ts";
import { pgWaiter, pgWorkPort } from "./postgres-work.ts";
import {
  checkClaimLimit,
  checkEnqueue,
  checkLease,
  checkRetryDelay,
  type EnqueueArgs,
} from "./rules.ts";
import type { Schedule, ScheduleSpec } from "./schedule-rules.ts";
import { type WaitOptions, waitOnce } from "./wait.ts";
import { type JobHandler, runWorker, type WorkOptions, type WorkResult } from "./work.ts";

/** The pool, or a transaction's handle to run inside it. */
export type PgQueueHandle = PgHandle;

export interface PgQueueOptions extends QueueOptions {
  /** Masks secrets in a failure's error before it is stored (the Store's redact on SQLite). */
  redact?: (text: string) => string;
}

export class PgQueue {
  private readonly policy: PgFailPolicy;

  constructor(
    private readonly db: PgQueueHandle,
    private readonly options: PgQueueOptions = {},
  ) {
    this.policy = {
      backoff: options.backoff ?? defaultBackoff,
      redact: options.redact ?? redactTokens,
    };
  }

  /** Adds a job; returns its id (or the live job's with the same dedupe key). Wakes listeners. */
  async enqueue(queue: string, payload: unknown, options: EnqueueOptions = {}): Promise<number> {
    const {
      text,
      delay,
      maxAttempts,
      priority,
      dedupeKey: key,
    } = checkEnqueue(queue, payload, options);
    if (options.group !== undefined || (options.after?.length ?? 0) > 0) {
      return this.enqueueLinked(checkEnqueue(queue, payload, options));
    }
    const args = [queue, text, priority, maxAttempts, key, delay, jobChannel(this.db.target)];
    return this.run(async (sql) => {
      // A live job with the key wins; it may finish between the two statements, so loop.
      for (;;) {
        const [row] = await sql.unsafe(INSERT_JOB, args);
        if (row) return Number(row.id);
        const [live] = await sql`SELECT id FROM jobs WHERE queue = ${queue} AND dedupe_key = ${key}
                                 AND status IN ('pending', 'processing')`;
        if (live) return Number(live.id);
      }
    });
  }

  /** enqueue of a job with a group or parents: the dedupe check, the insert and the links in one transaction. */
  private enqueueLinked(args: EnqueueArgs): Promise<number> {
    return this.transaction(async (_q, sql) => {
      if (args.dedupeKey !== null) {
        const [live] = await sql`SELECT id FROM jobs WHERE queue = ${args.queue}
          AND dedupe_key = ${args.dedupeKey} AND status IN ('pending', 'processing') FOR UPDATE`;
        if (live) return Number(live.id);
      }
      const id = await insertPgJob(sql, args);
      await sql`SELECT pg_notify(${jobChannel(this.db.target)}, ${args.queue})`;
      return id;
    });
  }

  /** Adds several jobs to one queue in one statement; returns their ids in order. */
  async enqueueMany(
    queue: string,
    payloads: readonly unknown[],
    options: Omit<EnqueueOptions, "dedupeKey"> = {},
  ): Promise<number[]> {
    if (options.group !== undefined || (options.after?.length ?? 0) > 0) {
      return this.transaction(async (q) => {
        const ids: number[] = [];
        for (const p of payloads) ids.push(await q.enqueue(queue, p, options));
        return ids;
      });
    }
    const checked = payloads.map((p) =>
      checkEnqueue(queue, p, { ...options, dedupeKey: undefined }),
    );
    const [first] = checked;
    if (!first) return [];
    const texts = JSON.stringify(checked.map((c) => c.text));
    const { priority, maxAttempts, delay } = first;
    const args = [queue, texts, priority, maxAttempts, delay, jobChannel(this.db.target)];
    return this.run(async (sql) => {
      const rows = await sql.unsafe(INSERT_JOBS, args);
      return rows.map((r: { id: string }) => Number(r.id));
    });
  }

  /** Claims the next due job for `lease` ms (server clock), or null when none is due. */
  async dequeue(queue: string, options: { lease?: number } = {}): Promise<Job | null> {
    return (await this.dequeueMany(queue, 1, options))[0] ?? null;
  }

  /** Claims up to `limit` due jobs, each with its own lease token; skips rows other workers hold. */
  dequeueMany(queue: string, limit: number, options: { lease?: number } = {}): Promise<Job[]> {
    checkClaimLimit(limit);
    return claimPgJobs(this.db, queue, limit, checkLease(options.lease));
  }

  /** Marks a held job completed. */
  ack(id: number, options: LeaseOptions = {}): Promise<void> {
    return ackPgJob(this.db, id, options);
  }

  /** Acks several held jobs in one statement: all of them, or none if one is not held. */
  ackMany(claims: readonly { id: number; token?: string | null | undefined }[]): Promise<void> {
    return ackPgJobs(this.db, claims);
  }

  /** Records `error` on a held job: back to pending after a backoff, or failed once spent. */
  async fail(
    id: number,
    error: string,
    options: LeaseOptions & { retryDelay?: number } = {},
  ): Promise<Job> {
    checkRetryDelay(options.retryDelay);
    return failPgJob(this.db, id, error, options, this.policy);
  }

  /** Settles a held job (acked, or failed with `error`) and claims the next due one, in one transaction. */
  async settleAndClaim(
    id: number,
    settle: LeaseOptions & { error?: string | undefined },
    next?: { queue: string; lease?: number | undefined },
  ): Promise<Job | null> {
    const claim = next ? { queue: next.queue, lease: checkLease(next.lease) } : undefined;
    return settleAndClaimPg(this.db, id, settle, claim, this.policy);
  }

  /** Hands a held job back to pending, its attempt not counted; wakes listeners. */
  release(id: number, options: LeaseOptions = {}): Promise<void> {
    return releasePgJob(this.db, id, options);
  }

  /** Whether a job of `queue` is claimable now, else in how many ms one may be (null: none waits). */
  due(queue: string): Promise<{ due: boolean; nextInMs: number | null }> {
    return this.run(async (sql) => {
      const [row] = await sql.unsafe(DUE, [queue]);
      const next = row?.next_in == null ? null : Math.max(0, Number(row.next_in));
      return row?.due ? { due: true, nextInMs: 0 } : { due: false, nextInMs: next };
    });
  }

  /** Resolves true once a job of one of `queues` is claimable, false on timeout or abort. */
  waitForJobs(queues: readonly string[], options: WaitOptions = {}): Promise<boolean> {
    return waitOnce(() => pgWaiter(this.db, this, queues), options);
  }

  /** The worker loop (see the SQLite Queue's work): one transaction per job, woken by NOTIFY. */
  work(queue: string, handler: JobHandler, options: WorkOptions = {}): Promise<WorkResult> {
    return pgWorkPort(this.db, this, queue).then((port) => runWorker(port, handler, options));
  }

  /** Pushes the lease of a held job to `lease` ms from now (server clock). */
  async extend(
    id: number,
    lease: number = DEFAULT_LEASE_MS,
    options: LeaseOptions = {},
  ): Promise<Job> {
    checkLease(lease);
    return extendPgJob(this.db, id, lease, options);
  }

  get(id: number): Promise<Job | null> {
    return getPgJob(this.db, id);
  }

  list(
    queue: string,
    options: { status?: JobStatus; limit?: number; offset?: number } = {},
  ): Promise<Job[]> {
    return listPgJobs(this.db, queue, options);
  }

  /** Job counts by status, for one queue or for each queue. */
  stats(queue?: string): Promise<QueueStats[]> {
    return pgQueueStats(this.db, queue);
  }

  /** Sends a failed (dead) job back to pending with fresh attempts. */
  retry(id: number): Promise<Job> {
    return retryPgJob(this.db, id);
  }

  /** Retries every failed job of `queue`; returns how many. Wakes listeners. */
  retryAll(queue: string): Promise<number> {
    return retryAllPgJobs(this.db, queue);
  }

  /** Deletes completed and failed jobs last touched more than `olderThan` ms ago. */
  purge(options: { olderThan: number; queue?: string }): Promise<number> {
    return purgePgJobs(this.db, options);
  }

  /** Adds (or replaces) a recurring job; each occurrence is enqueued once across all workers. */
  addSchedule(name: string, queue: string, spec: ScheduleSpec): Promise<Schedule> {
    return addPgSchedule(this.db, name, queue, spec);
  }

  /** Every schedule, by name. */
  schedules(): Promise<Schedule[]> {
    return listPgSchedules(this.db);
  }

  /** Removes a schedule (exit 3 if there is none by that name). */
  removeSchedule(name: string): Promise<void> {
    return removePgSchedule(this.db, name);
  }

  /** Runs `fn` on this handle, mapping driver errors to coffer's. */
  private run<T>(fn: (sql: SQL) => Promise<T>): Promise<T> {
    return runPg(this.db, fn);
  }

  /** Runs `fn` in a transaction (or in the one this handle already is), on a queue bound to it. */
  private transaction<T>(fn: (q: PgQueue, sql: SQL) => Promise<T>): Promise<T> {
    return inPgTransaction(this.db, (tx) =>
      fn(tx === this.db ? this : new PgQueue(tx, this.options), tx.sql),
    );
  }
}
