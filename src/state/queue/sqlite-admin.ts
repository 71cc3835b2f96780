// The SQLite queue's operator side: reading jobs, counting them, retrying the
// dead, purging the finished, and the schedules' list.

import { NotFoundError } from "../../errors.ts";
import type { StoreCore } from "../../store/core.ts";
import { emptyStats, type Job, type JobStatus, type QueueStats, toJob } from "../job.ts";
import { asSeen, checkListOptions, checkPurgeAge, dedupeTakenError, retryError } from "./rules.ts";
import { checkSchedule, type Schedule, type ScheduleSpec, toSchedule } from "./schedule-rules.ts";
import { upsertSchedule } from "./sqlite-graph.ts";
import { forgetHousekeeping } from "./sqlite-housekeeping.ts";
import { LIVE_BY_KEY, RETRY_ALL, SEEN_STATUS } from "./sqlite-sql.ts";

export function getJob(store: StoreCore, id: number): Job | null {
  const row = store.read(() => store.db.query("SELECT * FROM jobs WHERE id = ?").get(id));
  return row ? toJob(row) : null;
}

export function listJobs(
  store: StoreCore,
  queue: string,
  options: { status?: JobStatus; limit?: number; offset?: number },
): Job[] {
  const { status, limit, offset } = checkListOptions(options);
  const now = store.now();
  const rows = store.read(() =>
    store.db
      .query(
        `SELECT * FROM jobs WHERE queue = ?2 AND (?3 IS NULL OR ${SEEN_STATUS} = ?3)
         ORDER BY id LIMIT ?4 OFFSET ?5`,
      )
      .all(now, queue, status, limit, offset),
  );
  return rows.map((row) => asSeen(toJob(row), now));
}

/** Job counts by status, for one queue or for each queue. */
export function queueStats(store: StoreCore, queue?: string): QueueStats[] {
  const rows = store.read(() =>
    store.db
      .query(
        `SELECT queue, ${SEEN_STATUS} AS status, count(*) AS n FROM jobs
         WHERE ?2 IS NULL OR queue = ?2 GROUP BY 1, 2 ORDER BY queue`,
      )
      .all(store.now(), queue ?? null),
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
export function retryJob(store: StoreCore, id: number): Job {
  return store.write(() => {
    const job = getJob(store, id);
    const why = retryError(id, job);
    if (why) throw why;
    if (job?.dedupeKey != null) {
      const live = store.db.query(LIVE_BY_KEY).get(job.queue, job.dedupeKey) as {
        id: number;
      } | null;
      if (live) throw dedupeTakenError(id, job.dedupeKey, live.id);
    }
    const now = store.now();
    const row = store.db
      .query(
        `UPDATE jobs SET status = 'pending', attempts = 0, run_at = ?1, updated_at = ?1
         WHERE id = ?2 RETURNING *`,
      )
      .get(now, id);
    return toJob(row);
  });
}

/** Retries every failed job of `queue`; returns how many. */
export function retryAllJobs(store: StoreCore, queue: string): number {
  return store.write(() => store.db.query(RETRY_ALL).run(store.now(), queue).changes);
}

/** Deletes completed and failed jobs last touched more than `olderThan` ms ago. */
export function purgeJobs(
  store: StoreCore,
  options: { olderThan: number; queue?: string },
): number {
  const age = checkPurgeAge(options.olderThan);
  return store.write(() => {
    const cutoff = store.now() - age;
    return store.db
      .query(
        `DELETE FROM jobs WHERE status IN ('completed', 'failed') AND updated_at < ?1
         AND (?2 IS NULL OR queue = ?2)`,
      )
      .run(cutoff, options.queue ?? null).changes;
  });
}

export function addSchedule(
  store: StoreCore,
  name: string,
  queue: string,
  spec: ScheduleSpec,
): Schedule {
  const args = checkSchedule(name, queue, spec);
  // A new schedule may fall due before what the claims remember as their next look.
  forgetHousekeeping(store.db);
  return store.write(() => upsertSchedule(store.db, args, store.now()));
}

export function listSchedules(store: StoreCore): Schedule[] {
  const rows = store.read(() => store.db.query("SELECT * FROM schedules ORDER BY name").all());
  return rows.map((r) => toSchedule(r as Record<string, unknown>));
}

export function removeSchedule(store: StoreCore, name: string): void {
  store.write(() => {
    const { changes } = store.db.query("DELETE FROM schedules WHERE name = ?").run(name);
    if (changes === 0) throw new NotFoundError(`no schedule '${name}'`);
  });
}
