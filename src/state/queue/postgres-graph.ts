// Dependencies, groups and schedules on PostgreSQL: the claim's condition and
// what enqueue, ack, fail and claim do beyond one row. Time is the server's.

import type { SQL } from "bun";
import { NotFoundError } from "../../errors.ts";
import { dependencyFailed, type EnqueueArgs } from "./rules.ts";
import { nextRun, type Schedule, type ScheduleArgs, toSchedule } from "./schedule-rules.ts";

/** Inserts a job with a group or parents; the parents' rows are locked so none fails for good meanwhile. */
export async function insertPgJob(sql: SQL, a: EnqueueArgs): Promise<number> {
  const parents =
    a.after.length === 0
      ? []
      : await sql`SELECT id, status FROM jobs WHERE id IN ${sql(a.after)} ORDER BY id FOR SHARE`;
  for (const id of a.after) {
    if (!parents.some((p: { id: unknown }) => Number(p.id) === id)) {
      throw new NotFoundError(`no job ${id} to wait for`);
    }
  }
  const dead = parents.find((p: { status: string }) => p.status === "failed");
  const waiting = parents.filter((p: { status: string }) => p.status !== "completed");
  const [row] =
    await sql`INSERT INTO jobs (queue, payload, priority, max_attempts, dedupe_key, run_at,
      created_at, updated_at, group_key, waiting_on, status, last_error)
    VALUES (${a.queue}, ${a.text}, ${a.priority}, ${a.maxAttempts}, ${a.dedupeKey},
      now_ms() + ${a.delay}::bigint, now_ms(), now_ms(), ${a.group}, ${dead ? 0 : waiting.length},
      ${dead ? "failed" : "pending"}, ${dead ? dependencyFailed(Number(dead.id)) : null})
    RETURNING id`;
  const id = Number(row.id);
  for (const p of dead ? [] : waiting) {
    await sql`INSERT INTO job_parents (parent_id, job_id) VALUES (${p.id}, ${id})`;
  }
  return id;
}

/** A job failed for good: everything waiting on it, however deep, fails too. */
export async function pgParentFailed(sql: SQL, id: number): Promise<void> {
  await sql`WITH RECURSIVE down(id, parent) AS (
      SELECT job_id, parent_id FROM job_parents WHERE parent_id = ${id}
      UNION SELECT p.job_id, p.parent_id FROM job_parents p JOIN down d ON p.parent_id = d.id)
    UPDATE jobs SET status = 'failed', locked_until = NULL, lease_token = NULL, updated_at = now_ms(),
      last_error = 'dependency ' || (SELECT min(parent) FROM down WHERE down.id = jobs.id) || ' failed'
    WHERE id IN (SELECT id FROM down) AND status = 'pending'`;
}

/**
 * Enqueues one job for each due schedule of `queue`. The rows are locked and
 * skipped by anyone else, and next_run moves past now before commit, so each
 * occurrence is enqueued once across every worker on every host.
 */
export async function firePgSchedules(sql: SQL, queue: string): Promise<void> {
  const due = await sql`SELECT *, now_ms() AS now FROM schedules
    WHERE queue = ${queue} AND next_run <= now_ms() FOR UPDATE SKIP LOCKED`;
  for (const row of due) {
    const s = toSchedule(row);
    await sql`INSERT INTO jobs (queue, payload, run_at, created_at, updated_at)
      VALUES (${queue}, ${row.payload}, ${s.nextRun}, now_ms(), now_ms())`;
    await sql`UPDATE schedules SET next_run = ${nextRun(s, s.createdAt, Number(row.now))},
      updated_at = now_ms() WHERE name = ${s.name}`;
  }
}

export async function upsertPgSchedule(sql: SQL, s: ScheduleArgs): Promise<Schedule> {
  const [{ now }] = await sql`SELECT now_ms() AS now`;
  const t = Number(now);
  const [row] = await sql`INSERT INTO schedules (name, queue, payload, every_ms, cron, tz, next_run,
      created_at, updated_at)
    VALUES (${s.name}, ${s.queue}, ${s.text}, ${s.everyMs}, ${s.cron}, ${s.tz}, ${nextRun(s, t, t)}, ${t}, ${t})
    ON CONFLICT (name) DO UPDATE SET queue = EXCLUDED.queue, payload = EXCLUDED.payload,
      every_ms = EXCLUDED.every_ms, cron = EXCLUDED.cron, tz = EXCLUDED.tz,
      next_run = EXCLUDED.next_run, created_at = EXCLUDED.created_at, updated_at = EXCLUDED.updated_at
    RETURNING *`;
  return toSchedule(row);
}
