// The PostgreSQL queue's operator side: reading jobs, counting them, retrying
// the dead, purging the finished, and the schedules' list.

import { inPgTransaction, type PgHandle, runPg } from "../../engines/postgres/handle.ts";
import { NotFoundError } from "../../errors.ts";
import { emptyStats, type Job, type JobStatus, type QueueStats } from "../job.ts";
import { upsertPgSchedule } from "./postgres-graph.ts";
import { jobChannel, pgJob } from "./postgres-rows.ts";
import { SEEN_STATUS } from "./postgres-sql.ts";
import { asSeen, checkListOptions, checkPurgeAge, dedupeTakenError, retryError } from "./rules.ts";
import { checkSchedule, type Schedule, type ScheduleSpec, toSchedule } from "./schedule-rules.ts";

export function getPgJob(db: PgHandle, id: number): Promise<Job | null> {
  return runPg(db, async (sql) => {
    const [row] = await sql`SELECT * FROM jobs WHERE id = ${id}`;
    return row ? pgJob(row) : null;
  });
}

export function listPgJobs(
  db: PgHandle,
  queue: string,
  options: { status?: JobStatus; limit?: number; offset?: number },
): Promise<Job[]> {
  const { status, limit, offset } = checkListOptions(options);
  return runPg(db, async (sql): Promise<Job[]> => {
    const rows = await sql.unsafe(
      `SELECT *, now_ms() AS now FROM jobs WHERE queue = $1
         AND ($2::text IS NULL OR ${SEEN_STATUS} = $2) ORDER BY id LIMIT $3 OFFSET $4`,
      [queue, status, limit, offset],
    );
    return rows.map((row: Record<string, unknown>) => asSeen(pgJob(row), Number(row.now)));
  });
}

/** Job counts by status, for one queue or for each queue. */
export function pgQueueStats(db: PgHandle, queue?: string): Promise<QueueStats[]> {
  const only = queue ?? null;
  return runPg(db, async (sql) => {
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
export function retryPgJob(db: PgHandle, id: number): Promise<Job> {
  return inPgTransaction(db, async (tx) => {
    const sql = tx.sql;
    const [row] = await sql`SELECT * FROM jobs WHERE id = ${id} FOR UPDATE`;
    const why = retryError(id, row ? { status: row.status } : null);
    if (why) throw why;
    if (row?.dedupe_key != null) {
      const [live] = await sql`SELECT id FROM jobs WHERE queue = ${row.queue}
        AND dedupe_key = ${row.dedupe_key} AND status IN ('pending', 'processing')`;
      if (live) throw dedupeTakenError(id, row.dedupe_key, Number(live.id));
    }
    const [updated] = await sql`UPDATE jobs SET status = 'pending', attempts = 0, run_at = now_ms(),
      updated_at = now_ms() WHERE id = ${id} RETURNING *`;
    await sql`SELECT pg_notify(${jobChannel(db.target)}, ${row?.queue})`;
    return pgJob(updated);
  });
}

/** Retries every failed job of `queue`; returns how many. Wakes listeners. */
export function retryAllPgJobs(db: PgHandle, queue: string): Promise<number> {
  return runPg(db, async (sql) => {
    const r = await sql`UPDATE jobs SET status = 'pending', attempts = 0, run_at = now_ms(),
      updated_at = now_ms() WHERE queue = ${queue} AND status = 'failed' AND (dedupe_key IS NULL OR (
        NOT EXISTS (SELECT 1 FROM jobs l WHERE l.queue = jobs.queue AND l.dedupe_key = jobs.dedupe_key
                    AND l.status IN ('pending', 'processing'))
        AND id = (SELECT min(f.id) FROM jobs f WHERE f.queue = jobs.queue
                  AND f.dedupe_key = jobs.dedupe_key AND f.status = 'failed')))`;
    if (r.count > 0) await sql`SELECT pg_notify(${jobChannel(db.target)}, ${queue})`;
    return r.count;
  });
}

/** Deletes completed and failed jobs last touched more than `olderThan` ms ago. */
export function purgePgJobs(
  db: PgHandle,
  options: { olderThan: number; queue?: string },
): Promise<number> {
  const age = checkPurgeAge(options.olderThan);
  const only = options.queue ?? null;
  return runPg(db, async (sql) => {
    const r = await sql`DELETE FROM jobs WHERE status IN ('completed', 'failed')
      AND updated_at < now_ms() - ${age}::bigint AND (${only}::text IS NULL OR queue = ${only})`;
    return r.count;
  });
}

export function addPgSchedule(
  db: PgHandle,
  name: string,
  queue: string,
  spec: ScheduleSpec,
): Promise<Schedule> {
  const args = checkSchedule(name, queue, spec);
  return runPg(db, (sql) => upsertPgSchedule(sql, args));
}

export function listPgSchedules(db: PgHandle): Promise<Schedule[]> {
  return runPg(db, async (sql) => {
    const rows = await sql`SELECT * FROM schedules ORDER BY name COLLATE "C"`;
    return rows.map(toSchedule);
  });
}

export function removePgSchedule(db: PgHandle, name: string): Promise<void> {
  return runPg(db, async (sql) => {
    const r = await sql`DELETE FROM schedules WHERE name = ${name}`;
    if (r.count === 0) throw new NotFoundError(`no schedule '${name}'`);
  });
}
