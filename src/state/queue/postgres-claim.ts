// The PostgreSQL queue's hot path: claims, acks, failures, releases and lease
// extensions. Time is the server's (now_ms()); rules come from ./rules.ts.

import type { SQL } from "bun";
import { inPgTransaction, type PgHandle, runPg } from "../../engines/postgres/handle.ts";
import { BusyError, NotFoundError } from "../../errors.ts";
import type { Job, LeaseOptions } from "../job.ts";
import { firePgSchedules, pgParentFailed } from "./postgres-graph.ts";
import { jobChannel, pgJob } from "./postgres-rows.ts";
import { ACK_ALL_HELD, ACK_HELD, CLAIM_DUE, HELD, RECLAIM_AND_SCHEDULES } from "./postgres-sql.ts";
import { heldError, storedError } from "./rules.ts";

/** How a failure is recorded: its retry backoff and its error's redaction. */
export interface PgFailPolicy {
  backoff: (attempt: number) => number;
  redact: (text: string) => string;
}

/** Claims up to `limit` due jobs, each with its own lease token; skips rows other workers hold. */
export function claimPgJobs(
  db: PgHandle,
  queue: string,
  limit: number,
  lease: number,
): Promise<Job[]> {
  return runPg(db, async (sql) => {
    for (const r of await sql.unsafe(RECLAIM_AND_SCHEDULES, [queue])) {
      if (r.status === "failed") await pgParentFailed(sql, Number(r.id));
      if (r.status === "schedule")
        await inPgTransaction(db, (tx) => firePgSchedules(tx.sql, queue));
    }
    const rows = await sql.unsafe(CLAIM_DUE, [queue, limit, lease]);
    return rows.map(pgJob).sort((a: Job, b: Job) => b.priority - a.priority || a.id - b.id);
  });
}

/** Marks a held job completed. */
export function ackPgJob(db: PgHandle, id: number, options: LeaseOptions): Promise<void> {
  return runPg(db, async (sql) => {
    const rows = await sql.unsafe(ACK_HELD, [id, options.token ?? null, jobChannel(db.target)]);
    if (rows.length === 0) throw await notHeld(sql, id, options.token);
  });
}

/** Acks several held jobs in one statement: all of them, or none if one is not held. */
export async function ackPgJobs(
  db: PgHandle,
  claims: readonly { id: number; token?: string | null | undefined }[],
): Promise<void> {
  if (claims.length === 0) return;
  const list = JSON.stringify(claims.map((c) => ({ id: c.id, token: c.token ?? null })));
  const acked = await runPg(db, (sql) => sql.unsafe(ACK_ALL_HELD, [list]));
  if (acked.length === claims.length) return;
  // Nothing was acked: one by one, in a transaction, finds the first claim not held and says why.
  await inPgTransaction(db, async (tx) => {
    for (const c of claims) await ackPgJob(tx, c.id, { token: c.token ?? undefined });
  });
}

/** Records `error` on a held job: back to pending after a backoff, or failed once spent. */
export function failPgJob(
  db: PgHandle,
  id: number,
  error: string,
  options: LeaseOptions & { retryDelay?: number | undefined },
  policy: PgFailPolicy,
): Promise<Job> {
  return inPgTransaction(db, async (tx) => {
    const sql = tx.sql;
    const [row] = await sql`SELECT *, now_ms() AS now FROM jobs WHERE id = ${id} FOR UPDATE`;
    const job = row ? pgJob(row) : null;
    const why = heldError(id, job, options.token, Number(row?.now));
    if (why || !job) throw why ?? new NotFoundError(`no job ${id}`);
    const dead = job.attempts >= job.maxAttempts;
    const delay = options.retryDelay ?? policy.backoff(job.attempts);
    const [updated] = await sql`UPDATE jobs SET status = ${dead ? "failed" : "pending"},
        last_error = ${storedError(error, policy.redact)},
        run_at = CASE WHEN ${dead}::boolean THEN run_at ELSE now_ms() + ${delay}::bigint END,
        locked_until = NULL, lease_token = NULL, updated_at = now_ms()
      WHERE id = ${id} RETURNING *`;
    if (dead) await pgParentFailed(sql, id);
    return pgJob(updated);
  });
}

/** Settles a held job (acked, or failed with `error`) and claims the next due one, in one transaction. */
export function settleAndClaimPg(
  db: PgHandle,
  id: number,
  settle: LeaseOptions & { error?: string | undefined },
  next: { queue: string; lease: number } | undefined,
  policy: PgFailPolicy,
): Promise<Job | null> {
  return inPgTransaction(db, async (tx) => {
    if (settle.error === undefined) await ackPgJob(tx, id, settle);
    else await failPgJob(tx, id, settle.error, settle, policy);
    return next ? ((await claimPgJobs(tx, next.queue, 1, next.lease))[0] ?? null) : null;
  });
}

/** Hands a held job back to pending, its attempt not counted; wakes listeners. */
export function releasePgJob(db: PgHandle, id: number, options: LeaseOptions): Promise<void> {
  return runPg(db, async (sql) => {
    const rows = await sql.unsafe(
      `UPDATE jobs SET status = 'pending', attempts = greatest(attempts - 1, 0), run_at = now_ms(),
         locked_until = NULL, lease_token = NULL, updated_at = now_ms()
       WHERE id = $1 AND ${HELD} RETURNING pg_notify($3, queue)`,
      [id, options.token ?? null, jobChannel(db.target)],
    );
    if (rows.length === 0) throw await notHeld(sql, id, options.token);
  });
}

/** Pushes the lease of a held job to `lease` ms from now (server clock). */
export function extendPgJob(
  db: PgHandle,
  id: number,
  lease: number,
  options: LeaseOptions,
): Promise<Job> {
  return runPg(db, async (sql) => {
    const [row] = await sql.unsafe(
      `UPDATE jobs SET locked_until = now_ms() + $3, updated_at = now_ms()
       WHERE id = $1 AND ${HELD} RETURNING *`,
      [id, options.token ?? null, lease],
    );
    if (!row) throw await notHeld(sql, id, options.token);
    return pgJob(row);
  });
}

async function notHeld(sql: SQL, id: number, token: string | undefined): Promise<Error> {
  const [row] = await sql`SELECT *, now_ms() AS now FROM jobs WHERE id = ${id}`;
  return (
    heldError(id, row ? pgJob(row) : null, token, Number(row?.now)) ??
    new BusyError(`job ${id} is no longer held`)
  );
}
