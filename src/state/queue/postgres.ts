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
import { jobChannel, pgJob } from "./postgres-rows.ts";
import {
  ACK_ALL_HELD,
  ACK_HELD,
  CLAIM_DUE,
  HELD,
  INSERT_JOB,
  INSERT_JOBS,
  RECLAIM_EXPIRED,
} from "./postgres-sql.ts";
import {
  checkClaimLimit,
  checkEnqueue,
  checkLease,
  checkListOptions,
  checkPurgeAge,
  checkRetryDelay,
  heldError,
  retryError,
  storedError,
} from "./rules.ts";

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

  /** Adds several jobs to one queue in one statement; returns their ids in order. */
  async enqueueMany(
    queue: string,
    payloads: readonly unknown[],
    options: Omit<EnqueueOptions, "dedupeKey"> = {},
  ): Promise<number[]> {
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
      await sql.unsafe(RECLAIM_EXPIRED, [queue]);
      const rows = await sql.unsafe(CLAIM_DUE, [queue, limit, lease]);
      return rows.map(pgJob).sort((a: Job, b: Job) => b.priority - a.priority || a.id - b.id);
    });
  }

  /** Marks a held job completed. */
  ack(id: number, options: LeaseOptions = {}): Promise<void> {
    return this.run(async (sql) => {
      const rows = await sql.unsafe(ACK_HELD, [id, options.token ?? null]);
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
      return pgJob(updated);
    });
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
      const rows = await sql`SELECT * FROM jobs WHERE queue = ${queue}
        AND (${status}::text IS NULL OR status = ${status}) ORDER BY id LIMIT ${limit} OFFSET ${offset}`;
      return rows.map(pgJob);
    });
  }

  /** Job counts by status, for one queue or for each queue. */
  stats(queue?: string): Promise<QueueStats[]> {
    const only = queue ?? null;
    return this.run(async (sql) => {
      const rows = await sql`SELECT queue, status, count(*)::int AS n FROM jobs
        WHERE ${only}::text IS NULL OR queue = ${only} GROUP BY queue, status ORDER BY queue COLLATE "C"`;
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
      const [updated] =
        await sql`UPDATE jobs SET status = 'pending', attempts = 0, run_at = now_ms(),
        updated_at = now_ms() WHERE id = ${id} RETURNING *`;
      return pgJob(updated);
    });
  }

  /** Retries every failed job of `queue`; returns how many. */
  retryAll(queue: string): Promise<number> {
    return this.run(async (sql) => {
      const r = await sql`UPDATE jobs SET status = 'pending', attempts = 0, run_at = now_ms(),
        updated_at = now_ms() WHERE queue = ${queue} AND status = 'failed'`;
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
