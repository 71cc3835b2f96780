// The SQLite queue's hot-path statements, in one place: the queue runs them,
// and the benchmark's "coffer's SQL, no API" row runs exactly the same text.

/**
 * The partial index jobs_live's condition (migration 7): SQLite uses a
 * partial index only for a query that repeats its WHERE term, so each look
 * at pending or processing jobs says it beside its own `status = …`.
 */
export const LIVE = "status IN ('pending', 'processing')";

export const INSERT_JOB = `INSERT INTO jobs (queue, payload, priority, max_attempts, dedupe_key, run_at, created_at, updated_at)
  VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`;

/** ?1 now, ?2 queue: leases that ran out go back to pending, or to failed on their last attempt. */
export const RECLAIM_EXPIRED = `UPDATE jobs SET
    status = CASE WHEN attempts >= max_attempts THEN 'failed' ELSE 'pending' END,
    last_error = CASE WHEN attempts >= max_attempts
      THEN 'lease expired on attempt ' || attempts || ' of ' || max_attempts || ' (worker died?)'
      ELSE last_error END,
    locked_until = NULL, lease_token = NULL, updated_at = ?1
  WHERE queue = ?2 AND status = 'processing' AND ${LIVE} AND locked_until <= ?1
  RETURNING id, status`;

/** A live job of j's group pushed before j: j must wait for it. */
const EARLIER_IN_GROUP = `SELECT 1 FROM jobs g WHERE g.queue = j.queue AND g.group_key = j.group_key
  AND g.status IN ('pending', 'processing') AND g.id < j.id`;

/**
 * A parent of j that has not completed. Read at claim time rather than
 * counted down by each ack: the ack stays one statement, and a parent
 * completing while its child is enqueued cannot be missed.
 */
export const PARENT_NOT_DONE = `SELECT 1 FROM job_parents jp JOIN jobs p ON p.id = jp.parent_id
  WHERE jp.job_id = j.id AND p.status <> 'completed'`;

/** Job j (of queue ?3, at time ?2) may be claimed: due, not waiting on a parent, its group's head. */
const CLAIMABLE = `j.queue = ?3 AND j.status = 'pending' AND j.${LIVE} AND j.run_at <= ?2
  AND (j.waiting_on = 0 OR NOT EXISTS (${PARENT_NOT_DONE}))
  AND (j.group_key IS NULL OR NOT EXISTS (${EARLIER_IN_GROUP}))`;

/** ?1 locked_until, ?2 now, ?3 queue, ?4 how many: the due jobs, highest priority then oldest. */
export const CLAIM_DUE = `UPDATE jobs SET status = 'processing', attempts = attempts + 1, locked_until = ?1,
    lease_token = lower(hex(randomblob(16))), updated_at = ?2
  WHERE id IN (SELECT j.id FROM jobs j WHERE ${CLAIMABLE}
               ORDER BY j.priority DESC, j.id LIMIT ?4)
  RETURNING *`;

/** ?1 locked_until, ?2 now, ?3 queue: the one next due job. */
export const CLAIM_NEXT = `UPDATE jobs SET status = 'processing', attempts = attempts + 1, locked_until = ?1,
    lease_token = lower(hex(randomblob(16))), updated_at = ?2
  WHERE id = (SELECT j.id FROM jobs j WHERE ${CLAIMABLE}
              ORDER BY j.priority DESC, j.id LIMIT 1)
  RETURNING *`;

/** ?1 now, ?2 id, ?3 token or null: the lease check is part of the update, one statement. */
export const ACK_HELD = `UPDATE jobs SET status = 'completed', locked_until = NULL, lease_token = NULL,
    updated_at = ?1
  WHERE id = ?2 AND status = 'processing' AND locked_until > ?1
    AND (?3 IS NULL OR lease_token = ?3)`;

/** ?1 now, ?2 id, ?3 token or null: a held job back to pending, its attempt not counted. */
export const RELEASE_HELD = `UPDATE jobs SET status = 'pending', attempts = max(attempts - 1, 0),
    run_at = ?1, locked_until = NULL, lease_token = NULL, updated_at = ?1
  WHERE id = ?2 AND status = 'processing' AND locked_until > ?1
    AND (?3 IS NULL OR lease_token = ?3)`;

/** ?2 now, ?3 queue (?1 unused, as in the claims): would a claim find work right now? */
export const ANY_DUE = `SELECT 1 AS due FROM jobs j WHERE ${CLAIMABLE}
  UNION ALL SELECT 1 FROM jobs WHERE queue = ?3 AND status = 'processing' AND ${LIVE}
    AND locked_until <= ?2
  UNION ALL SELECT 1 FROM schedules WHERE queue = ?3 AND next_run <= ?2
  LIMIT 1`;

/** ?1 now, ?2 queue: the next time something of the queue falls due (a delayed job, a lease end). */
export const NEXT_DUE = `SELECT min(t) AS t FROM (
    SELECT min(run_at) AS t FROM jobs WHERE queue = ?2 AND status = 'pending' AND ${LIVE}
      AND run_at > ?1
    UNION ALL
    SELECT min(locked_until) FROM jobs WHERE queue = ?2 AND status = 'processing' AND ${LIVE}
      AND locked_until > ?1
    UNION ALL
    SELECT min(next_run) FROM schedules WHERE queue = ?2 AND next_run > ?1)`;

/** A job's status as reported at ?1 (now): a lease that ran out is no longer processing. */
export const SEEN_STATUS = `CASE WHEN status = 'processing' AND locked_until <= ?1
    THEN CASE WHEN attempts >= max_attempts THEN 'failed' ELSE 'pending' END ELSE status END`;

/** ?1 now, ?2 queue: every failed job back to pending, but not one whose dedupe key a live job (or an older failed one) holds. */
export const RETRY_ALL = `UPDATE jobs SET status = 'pending', attempts = 0, run_at = ?1, updated_at = ?1
  WHERE queue = ?2 AND status = 'failed' AND (dedupe_key IS NULL OR (
    NOT EXISTS (SELECT 1 FROM jobs l WHERE l.queue = jobs.queue AND l.dedupe_key = jobs.dedupe_key
                AND l.status IN ('pending', 'processing'))
    AND id = (SELECT min(f.id) FROM jobs f WHERE f.queue = jobs.queue
              AND f.dedupe_key = jobs.dedupe_key AND f.status = 'failed')))`;

/** ?1 queue, ?2 key: the live job holding a dedupe key. */
export const LIVE_BY_KEY = `SELECT id FROM jobs WHERE queue = ?1 AND dedupe_key = ?2
  AND status IN ('pending', 'processing')`;

/** Enqueue with every column the hot path's INSERT_JOB leaves at its default. */
export const INSERT_JOB_FULL = `INSERT INTO jobs (queue, payload, priority, max_attempts, dedupe_key, run_at,
    created_at, updated_at, group_key, waiting_on, status, last_error)
  VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`;

/** ?1 parent id, ?2 now: everything waiting on it, however deep, fails with the parent it waited for named. */
export const FAIL_DESCENDANTS = `WITH RECURSIVE down(id, parent) AS (
    SELECT job_id, parent_id FROM job_parents WHERE parent_id = ?1
    UNION SELECT p.job_id, p.parent_id FROM job_parents p JOIN down d ON p.parent_id = d.id)
  UPDATE jobs SET status = 'failed', locked_until = NULL, lease_token = NULL, updated_at = ?2,
    last_error = 'dependency ' || (SELECT min(parent) FROM down WHERE down.id = jobs.id) || ' failed'
  WHERE id IN (SELECT id FROM down) AND status = 'pending'`;
