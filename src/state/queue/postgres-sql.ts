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
               AND locked_until <= now_ms() FOR UPDATE SKIP LOCKED)`;

/** $1 queue, $2 how many, $3 lease ms: the due jobs, highest priority then oldest, skipping held rows. */
export const CLAIM_DUE = `WITH next AS (
    SELECT id FROM jobs WHERE queue = $1 AND status = 'pending' AND run_at <= now_ms()
    ORDER BY priority DESC, id LIMIT $2 FOR UPDATE SKIP LOCKED)
  UPDATE jobs j SET status = 'processing', attempts = attempts + 1,
    locked_until = now_ms() + $3, lease_token = ${TOKEN}, updated_at = now_ms()
  FROM next WHERE j.id = next.id AND j.status = 'pending' RETURNING j.*`;

/** $1 id, $2 token or null: a job held now (and by that token, if given). */
export const HELD =
  "status = 'processing' AND locked_until > now_ms() AND ($2::text IS NULL OR lease_token = $2)";

/** $1 id, $2 token or null: the lease check is part of the update, one statement. */
export const ACK_HELD = `UPDATE jobs SET status = 'completed', locked_until = NULL, lease_token = NULL,
    updated_at = now_ms() WHERE id = $1 AND ${HELD} RETURNING id`;
