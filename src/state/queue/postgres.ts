// The job queue's SQL on PostgreSQL. Rules (validation, errors) come from
// ./rules.ts, the row shape from ../job.ts; time is the server's (now_ms()).

import type { SQL } from "bun";
import { inPgTransaction, type PgHandle, runPg } from "../../engines/postgres/handle.ts";
import { BusyError, NotFoundError } from "../../errors.ts";
import { redactTokens } from "../../redact.ts";
import {
  DEFAULT_LEASE_MS,
  defaultBackoff,
  type EnqueueOptions,
  emptyStats,
  type Job,
  type JobStatus,
  type LeaseOptions,
  type QueueOptions,
  type QueueStats,
} from "../job.ts";
import {
  firePgSchedules,
  insertPgJob,
  pgParentFailed,
  upsertPgSchedule,
} from "./postgres-graph.ts";
import { jobChannel, pgJob } from "./postgres-rows.ts";
import {
  ACK_ALL_HELD,
  ACK_HELD,
  CLAIM_DUE,
  DUE,
  HELD,
  INSERT_JOB,
  INSERT_JOBS,
  RECLAIM_AND_SCHEDULES,
  SEEN_STATUS,
} from "./postgres-sql.ts";
import { pgWaiter, pgWorkPort } from "./postgres-work.ts";
import {
  asSeen,
  checkClaimLimit,
  checkEnqueue,
  checkLease,
  checkListOptions,
  checkPurgeAge,
  checkRetryDelay,
  dedupeTakenError,
  type EnqueueArgs,
  heldError,
  retryError,
  storedError,
} from "./rules.ts";
import { checkSchedule, type Schedule, type ScheduleSpec, toSchedule } from "./schedule-rules.ts";
import { type WaitOptions, waitOnce } from "./wait.ts";
import { type JobHandler, runWorker, type WorkOptions, type WorkResult } from "./work.ts";

/** The pool, or a transaction's handle to run inside it. */
export type PgQueueHandle = PgHandle;

export interface PgQueueOptions extends QueueOptions {
  /** Masks secrets in a failure's error before it is stored (the Store's redact on SQLite). */
  redact?: (text: string) => string;
}

export class PgQueue {
  private readonly backoff: (attempt: number) => number;
  private readonly redact: (text: string) => string;

  constructor(
    private readonly db: PgQueueHandle,
    private readonly options: PgQueueOptions = {},
  ) {
    this.backoff = options.backoff ?? defaultBackoff;
    this.redact = options.redact ?? redactTokens;
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
  async dequeueMany(
    queue: string,
    limit: number,
    options: { lease?: number } = {},
  ): Promise<Job[]> {
    checkClaimLimit(limit);
    const lease = checkLease(options.lease);
    return this.run(async (sql) => {
      for (const r of await sql.unsafe(RECLAIM_AND_SCHEDULES, [queue])) {
        if (r.status === "failed") await pgParentFailed(sql, Number(r.id));
        if (r.status === "schedule") await this.transaction((_q, tx) => firePgSchedules(tx, queue));
      }
      const rows = await sql.unsafe(CLAIM_DUE, [queue, limit, lease]);
      return rows.map(pgJob).sort((a: Job, b: Job) => b.priority - a.priority || a.id - b.id);
    });
  }

  /** Marks a held job completed. */
  ack(id: number, options: LeaseOptions = {}): Promise<void> {
    return this.run(async (sql) => {
      const rows = await sql.unsafe(ACK_HELD, [
        id,
        options.token ?? null,
        jobChannel(this.db.target),
      ]);
      if (rows.length === 0) throw await this.notHeld(sql, id, options.token);
    });
  }

  /** Acks several held jobs in one statement: all of them, or none if one is not held. */
  async ackMany(
    claims: readonly { id: number; token?: string | null | undefined }[],
  ): Promise<void> {
    if (claims.length === 0) return;
    const list = JSON.stringify(claims.map((c) => ({ id: c.id, token: c.token ?? null })));
    const acked = await this.run((sql) => sql.unsafe(ACK_ALL_HELD, [list]));
    if (acked.length === claims.length) return;
    // Nothing was acked: one by one, in a transaction, finds the first claim not held and says why.
    await this.transaction(async (q) => {
      for (const c of claims) await q.ack(c.id, { token: c.token ?? undefined });
    });
  }

  /** Records `error` on a held job: back to pending after a backoff, or failed once spent. */
  async fail(
    id: number,
    error: string,
    options: LeaseOptions & { retryDelay?: number } = {},
  ): Promise<Job> {
    checkRetryDelay(options.retryDelay);
    return this.transaction(async (q, sql) => {
      const [row] = await sql`SELECT *, now_ms() AS now FROM jobs WHERE id = ${id} FOR UPDATE`;
      const job = row ? pgJob(row) : null;
      const why = heldError(id, job, options.token, Number(row?.now));
      if (why || !job) throw why ?? new NotFoundError(`no job ${id}`);
      const dead = job.attempts >= job.maxAttempts;
      const delay = options.retryDelay ?? q.backoff(job.attempts);
      const [updated] = await sql`UPDATE jobs SET status = ${dead ? "failed" : "pending"},
          last_error = ${storedError(error, q.redact)},
          run_at = CASE WHEN ${dead}::boolean THEN run_at ELSE now_ms() + ${delay}::bigint END,
          locked_until = NULL, lease_token = NULL, updated_at = now_ms()
        WHERE id = ${id} RETURNING *`;
      if (dead) await pgParentFailed(sql, id);
      return pgJob(updated);
    });
  }

  /** Settles a held job (acked, or failed with `error`) and claims the next due one, in one transaction. */
  settleAndClaim(
    id: number,
    settle: LeaseOptions & { error?: string | undefined },
    next?: { queue: string; lease?: number | undefined },
  ): Promise<Job | null> {
    return this.transaction(async (q) => {
      if (settle.error === undefined) await q.ack(id, settle);
      else await q.fail(id, settle.error, settle);
      return next ? q.dequeue(next.queue, { lease: next.lease }) : null;
    });
  }

  /** Hands a held job back to pending, its attempt not counted; wakes listeners. */
  release(id: number, options: LeaseOptions = {}): Promise<void> {
    return this.run(async (sql) => {
      const rows = await sql.unsafe(
        `UPDATE jobs SET status = 'pending', attempts = greatest(attempts - 1, 0), run_at = now_ms(),
           locked_until = NULL, lease_token = NULL, updated_at = now_ms()
         WHERE id = $1 AND ${HELD} RETURNING pg_notify($3, queue)`,
        [id, options.token ?? null, jobChannel(this.db.target)],
      );
      if (rows.length === 0) throw await this.notHeld(sql, id, options.token);
    });
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
    return this.run(async (sql) => {
      const [row] = await sql.unsafe(
        `UPDATE jobs SET locked_until = now_ms() + $3, updated_at = now_ms()
         WHERE id = $1 AND ${HELD} RETURNING *`,
        [id, options.token ?? null, lease],
      );
      if (!row) throw await this.notHeld(sql, id, options.token);
      return pgJob(row);
    });
  }

  get(id: number): Promise<Job | null> {
    return this.run(async (sql) => {
      const [row] = await sql`SELECT * FROM jobs WHERE id = ${id}`;
      return row ? pgJob(row) : null;
    });
  }

  async list(
    queue: string,
    options: { status?: JobStatus; limit?: number; offset?: number } = {},
  ): Promise<Job[]> {
    const { status, limit, offset } = checkListOptions(options);
    return this.run(async (sql): Promise<Job[]> => {
      const rows = await sql.unsafe(
        `SELECT *, now_ms() AS now FROM jobs WHERE queue = $1
           AND ($2::text IS NULL OR ${SEEN_STATUS} = $2) ORDER BY id LIMIT $3 OFFSET $4`,
        [queue, status, limit, offset],
      );
      return rows.map((row: Record<string, unknown>) => asSeen(pgJob(row), Number(row.now)));
    });
  }

  /** Job counts by status, for one queue or for each queue. */
  stats(queue?: string): Promise<QueueStats[]> {
    const only = queue ?? null;
    return this.run(async (sql) => {
      const rows = await sql.unsafe(
        `SELECT queue, ${SEEN_STATUS} AS status, count(*)::int AS n FROM jobs
         WHERE $1::text IS NULL OR queue = $1 GROUP BY 1, 2 ORDER BY queue COLLATE "C"`,
        [only],
      );
      const byQueue = new Map<string, QueueStats>();
      if (queue !== undefined) byQueue.set(queue, emptyStats(queue));
      for (const r of rows as { queue: string; status: JobStatus; n: number }[]) {
        const s = byQueue.get(r.queue) ?? emptyStats(r.queue);
        s[r.status] = r.n;
        byQueue.set(r.queue, s);
      }
      return [...byQueue.values()];
    });
  }

  /** Sends a failed (dead) job back to pending with fresh attempts. */
  retry(id: number): Promise<Job> {
    return this.transaction(async (_q, sql) => {
      const [row] = await sql`SELECT * FROM jobs WHERE id = ${id} FOR UPDATE`;
      const why = retryError(id, row ? { status: row.status } : null);
      if (why) throw why;
      if (row?.dedupe_key != null) {
        const [live] = await sql`SELECT id FROM jobs WHERE queue = ${row.queue}
          AND dedupe_key = ${row.dedupe_key} AND status IN ('pending', 'processing')`;
        if (live) throw dedupeTakenError(id, row.dedupe_key, Number(live.id));
      }
      const [updated] =
        await sql`UPDATE jobs SET status = 'pending', attempts = 0, run_at = now_ms(),
        updated_at = now_ms() WHERE id = ${id} RETURNING *`;
      await sql`SELECT pg_notify(${jobChannel(this.db.target)}, ${row?.queue})`;
      return pgJob(updated);
    });
  }

  /** Retries every failed job of `queue`; returns how many. Wakes listeners. */
  retryAll(queue: string): Promise<number> {
    return this.run(async (sql) => {
      const r = await sql`UPDATE jobs SET status = 'pending', attempts = 0, run_at = now_ms(),
        updated_at = now_ms() WHERE queue = ${queue} AND status = 'failed' AND (dedupe_key IS NULL OR (
          NOT EXISTS (SELECT 1 FROM jobs l WHERE l.queue = jobs.queue AND l.dedupe_key = jobs.dedupe_key
                      AND l.status IN ('pending', 'processing'))
          AND id = (SELECT min(f.id) FROM jobs f WHERE f.queue = jobs.queue
                    AND f.dedupe_key = jobs.dedupe_key AND f.status = 'failed')))`;
      if (r.count > 0) await sql`SELECT pg_notify(${jobChannel(this.db.target)}, ${queue})`;
      return r.count;
    });
  }

  /** Deletes completed and failed jobs last touched more than `olderThan` ms ago. */
  async purge(options: { olderThan: number; queue?: string }): Promise<number> {
    const age = checkPurgeAge(options.olderThan);
    const only = options.queue ?? null;
    return this.run(async (sql) => {
      const r = await sql`DELETE FROM jobs WHERE status IN ('completed', 'failed')
        AND updated_at < now_ms() - ${age}::bigint AND (${only}::text IS NULL OR queue = ${only})`;
      return r.count;
    });
  }

  /** Adds (or replaces) a recurring job; each occurrence is enqueued once across all workers. */
  addSchedule(name: string, queue: string, spec: ScheduleSpec): Promise<Schedule> {
    const args = checkSchedule(name, queue, spec);
    return this.run((sql) => upsertPgSchedule(sql, args));
  }

  /** Every schedule, by name. */
  schedules(): Promise<Schedule[]> {
    return this.run(async (sql) => {
      const rows = await sql`SELECT * FROM schedules ORDER BY name COLLATE "C"`;
      return rows.map(toSchedule);
    });
  }

  /** Removes a schedule (exit 3 if there is none by that name). */
  removeSchedule(name: string): Promise<void> {
    return this.run(async (sql) => {
      const r = await sql`DELETE FROM schedules WHERE name = ${name}`;
      if (r.count === 0) throw new NotFoundError(`no schedule '${name}'`);
    });
  }

  private async notHeld(sql: SQL, id: number, token: string | undefined): Promise<Error> {
    const [row] = await sql`SELECT *, now_ms() AS now FROM jobs WHERE id = ${id}`;
    return (
      heldError(id, row ? pgJob(row) : null, token, Number(row?.now)) ??
      new BusyError(`job ${id} is no longer held`)
    );
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
