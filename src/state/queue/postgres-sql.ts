// The PostgreSQL queue's hot-path statements, in one place: the queue runs them,
// and the benchmark's "coffer's SQL, no API" row runs exactly the same text.
// Time is the server's (now_ms()); a lease token is 32 hex digits.

const TOKEN = "replace(gen_random_uuid()::text, '-', '')";

/**
 * $1 queue, $2 payload, $3 priority, $4 max attempts, $5 dedupe key, $6 delay,
 * $7 NOTIFY channel: the new job's id and a wake-up, or no row when a live job has the key.
 */
export const INSERT_JOB = `WITH ins AS (
    INSERT INTO jobs (queue, payload, priority, max_attempts, dedupe_key, run_at, created_at, updated_at)
    VALUES ($1, $2, $3, $4, $5, now_ms() + $6, now_ms(), now_ms())
    ON CONFLICT (queue, dedupe_key)
      WHERE dedupe_key IS NOT NULL AND status IN ('pending', 'processing') DO NOTHING
    RETURNING id)
  SELECT id, pg_notify($7, $1) FROM ins`;

/** $1 queue: leases that ran out go back to pending, or to failed on their last attempt. */
export const RECLAIM_EXPIRED = `UPDATE jobs SET
    status = CASE WHEN attempts >= max_attempts THEN 'failed' ELSE 'pending' END,
    last_error = CASE WHEN attempts >= max_attempts
      THEN 'lease expired on attempt ' || attempts || ' of ' || max_attempts || ' (worker died?)'
      ELSE last_error END,
    locked_until = NULL, lease_token = NULL, updated_at = now_ms()
  WHERE id IN (SELECT id FROM jobs WHERE queue = $1 AND status = 'processing'
               AND locked_until <= now_ms() FOR UPDATE SKIP LOCKED)
  RETURNING id, status`;

/** The reclaim, and in the same round trip whether a schedule of the queue is due ('schedule' row). */
export const RECLAIM_AND_SCHEDULES = `WITH r AS (${RECLAIM_EXPIRED})
  SELECT id, status FROM r
  UNION ALL SELECT NULL, 'schedule'
    WHERE EXISTS (SELECT 1 FROM schedules WHERE queue = $1 AND next_run <= now_ms())`;

/**
 * Job j of queue $1 may be claimed: due, every parent completed (read here,
 * not counted down by acks, so a parent settling during the child's enqueue
 * cannot be missed), and the head of its group (groups run in push order).
 */
export const CLAIMABLE = `j.queue = $1 AND j.status = 'pending' AND j.run_at <= now_ms()
  AND (j.waiting_on = 0 OR NOT EXISTS (
    SELECT 1 FROM job_parents jp JOIN jobs p ON p.id = jp.parent_id
    WHERE jp.job_id = j.id AND p.status <> 'completed'))
  AND (j.group_key IS NULL OR NOT EXISTS (
    SELECT 1 FROM jobs g WHERE g.queue = j.queue AND g.group_key = j.group_key
      AND g.status IN ('pending', 'processing') AND g.id < j.id))`;

/** $1 queue, $2 how many, $3 lease ms: the due jobs, highest priority then oldest, skipping held rows. */
export const CLAIM_DUE = `WITH next AS (
    SELECT j.id FROM jobs j WHERE ${CLAIMABLE}
    ORDER BY j.priority DESC, j.id LIMIT $2 FOR UPDATE SKIP LOCKED)
  UPDATE jobs j SET status = 'processing', attempts = attempts + 1,
    locked_until = now_ms() + $3, lease_token = ${TOKEN}, updated_at = now_ms()
  FROM next WHERE j.id = next.id AND j.status = 'pending' RETURNING j.*`;

/** $1 id, $2 token or null: a job held now (and by that token, if given). */
export const HELD =
  "status = 'processing' AND locked_until > now_ms() AND ($2::text IS NULL OR lease_token = $2)";

/**
 * $1 id, $2 token or null, $3 NOTIFY channel: the lease check is part of the
 * update, one statement; it wakes the workers of the job's group and of its children.
 */
export const ACK_HELD = `WITH a AS (
    UPDATE jobs SET status = 'completed', locked_until = NULL, lease_token = NULL, updated_at = now_ms()
    WHERE id = $1 AND ${HELD} RETURNING id, queue, group_key)
  SELECT a.id, (SELECT count(pg_notify($3, n.q)) FROM (
      SELECT a.queue AS q WHERE a.group_key IS NOT NULL
      UNION SELECT j.queue FROM job_parents jp JOIN jobs j ON j.id = jp.job_id WHERE jp.parent_id = a.id
    ) AS n) AS woke
  FROM a`;

/** $1 queue: whether a claim would find work now, else in how many ms something falls due. */
export const DUE = `SELECT
    EXISTS (SELECT 1 FROM jobs j WHERE ${CLAIMABLE})
    OR EXISTS (SELECT 1 FROM schedules WHERE queue = $1 AND next_run <= now_ms())
    OR EXISTS (SELECT 1 FROM jobs WHERE queue = $1 AND status = 'processing'
               AND locked_until <= now_ms()) AS due,
    (SELECT min(t) FROM (
       SELECT min(run_at) AS t FROM jobs WHERE queue = $1 AND status = 'pending' AND run_at > now_ms()
       UNION ALL
       SELECT min(locked_until) FROM jobs WHERE queue = $1 AND status = 'processing'
         AND locked_until > now_ms()
       UNION ALL
       SELECT min(next_run) FROM schedules WHERE queue = $1 AND next_run > now_ms()) AS x) - now_ms() AS next_in`;

/** A job's status as reported now: a lease that ran out is no longer processing. */
export const SEEN_STATUS = `CASE WHEN status = 'processing' AND locked_until <= now_ms()
    THEN CASE WHEN attempts >= max_attempts THEN 'failed' ELSE 'pending' END ELSE status END`;

/**
 * $1 queue, $2 a JSON array of payload texts, $3 priority, $4 max attempts,
 * $5 delay, $6 NOTIFY channel: every job in one statement, ids ascending in
 * the array's order, and one wake-up.
 */
export const INSERT_JOBS = `WITH ins AS (
    INSERT INTO jobs (queue, payload, priority, max_attempts, run_at, created_at, updated_at)
    SELECT $1, p.value, $3, $4, now_ms() + $5, now_ms(), now_ms()
    FROM json_array_elements_text($2::text::json) WITH ORDINALITY AS p(value, n) ORDER BY p.n
    RETURNING id)
  SELECT id, (SELECT pg_notify($6, $1)) AS woke FROM ins ORDER BY id`;

/**
 * $1 a JSON array of {id, token}: completes them all in one statement when
 * every one is held (by its token, if given) and none is named twice; else
 * completes none and returns no row. Rows are locked in id order, so two
 * overlapping batches wait for each other instead of deadlocking.
 */
export const ACK_ALL_HELD = `WITH c AS (
    SELECT * FROM json_to_recordset($1::text::json) AS c(id bigint, token text)),
  held AS (
    SELECT j.id FROM jobs j JOIN c ON j.id = c.id
    WHERE j.status = 'processing' AND j.locked_until > now_ms()
      AND (c.token IS NULL OR j.lease_token = c.token)
    ORDER BY j.id FOR UPDATE OF j),
  whole AS (
    SELECT (SELECT count(*) FROM held) = (SELECT count(*) FROM c)
       AND (SELECT count(DISTINCT id) FROM c) = (SELECT count(*) FROM c) AS ok)
  UPDATE jobs SET status = 'completed', locked_until = NULL, lease_token = NULL,
    updated_at = now_ms()
  WHERE id IN (SELECT id FROM held) AND (SELECT ok FROM whole) RETURNING id`;
