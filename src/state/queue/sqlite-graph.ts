// Dependencies and schedules on SQLite: what enqueue, ack, fail and claim do
// beyond one row. All of it runs inside the caller's write transaction.

import type { Database } from "bun:sqlite";
import { NotFoundError } from "../../errors.ts";
import { dependencyFailed, type EnqueueArgs } from "./rules.ts";
import { nextRun, type Schedule, type ScheduleArgs, toSchedule } from "./schedule-rules.ts";
import { FAIL_DESCENDANTS, INSERT_JOB, INSERT_JOB_FULL } from "./sqlite-sql.ts";

/** Inserts a job, with its group and parents; a job whose parent already failed for good is failed at once. */
export function insertJob(db: Database, args: EnqueueArgs, now: number): number {
  const { queue, text, priority, maxAttempts, dedupeKey, delay, group, after } = args;
  if (group === null && after.length === 0) {
    const row = db
      .query(INSERT_JOB)
      .get(queue, text, priority, maxAttempts, dedupeKey, now + delay, now, now);
    return (row as { id: number }).id;
  }
  const parents = after.map((id) => {
    const p = db.query("SELECT id, status FROM jobs WHERE id = ?").get(id) as {
      id: number;
      status: string;
    } | null;
    if (!p) throw new NotFoundError(`no job ${id} to wait for`);
    return p;
  });
  const dead = parents.find((p) => p.status === "failed");
  const waiting = parents.filter((p) => p.status !== "completed");
  const row = db
    .query(INSERT_JOB_FULL)
    .get(
      queue,
      text,
      priority,
      maxAttempts,
      dedupeKey,
      now + delay,
      now,
      now,
      group,
      dead ? 0 : waiting.length,
      dead ? "failed" : "pending",
      dead ? dependencyFailed(dead.id) : null,
    ) as { id: number };
  if (!dead) {
    const link = db.query("INSERT INTO job_parents (parent_id, job_id) VALUES (?, ?)");
    for (const p of waiting) link.run(p.id, row.id);
  }
  return row.id;
}

/** A job failed for good: everything waiting on it fails too. */
export function parentFailed(db: Database, id: number, now: number): void {
  db.query(FAIL_DESCENDANTS).run(id, now);
}

/** Enqueues one job for each due schedule of `queue` (one, however many occurrences were missed). */
export function fireSchedules(db: Database, queue: string, now: number): void {
  const due = db.query("SELECT * FROM schedules WHERE queue = ? AND next_run <= ?").all(queue, now);
  if (due.length === 0) return;
  for (const row of due) {
    const s = toSchedule(row as Record<string, unknown>);
    const payload = String((row as { payload: unknown }).payload);
    db.query(INSERT_JOB).get(queue, payload, 0, 3, null, s.nextRun, now, now);
    db.query("UPDATE schedules SET next_run = ?, updated_at = ? WHERE name = ?").run(
      nextRun(s, s.createdAt, now),
      now,
      s.name,
    );
  }
}

export function upsertSchedule(db: Database, s: ScheduleArgs, now: number): Schedule {
  const row = db
    .query(
      `INSERT INTO schedules (name, queue, payload, every_ms, cron, tz, next_run, created_at, updated_at)
       VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?8)
       ON CONFLICT (name) DO UPDATE SET queue = ?2, payload = ?3, every_ms = ?4, cron = ?5, tz = ?6,
         next_run = ?7, created_at = ?8, updated_at = ?8
       RETURNING *`,
    )
    .get(s.name, s.queue, s.text, s.everyMs, s.cron, s.tz, nextRun(s, now, now), now);
  return toSchedule(row as Record<string, unknown>);
}
