// PostgreSQL version of lease-audit.ts: a trigger recording every claim,
// extend and end of a lease on the jobs table in the changing transaction
// (so a SIGKILLed worker's claim counts too), and SQL that finds overlaps.

import type { PgConnection } from "../../src/engines/postgres/index.ts";

const AUDIT = [
  `CREATE TABLE lease_audit (
     seq bigserial PRIMARY KEY, job_id bigint NOT NULL, event text NOT NULL,
     token text, at bigint NOT NULL, locked_until bigint, backend int NOT NULL)`,
  `CREATE FUNCTION audit_lease() RETURNS trigger LANGUAGE plpgsql AS $$
   BEGIN
     IF NEW.status = 'processing' AND NEW.lease_token IS DISTINCT FROM OLD.lease_token THEN
       INSERT INTO lease_audit (job_id, event, token, at, locked_until, backend)
       VALUES (NEW.id, 'claim', NEW.lease_token, NEW.updated_at, NEW.locked_until, pg_backend_pid());
     ELSIF NEW.status = 'processing' AND OLD.status = 'processing'
       AND NEW.locked_until IS DISTINCT FROM OLD.locked_until THEN
       INSERT INTO lease_audit (job_id, event, token, at, locked_until, backend)
       VALUES (NEW.id, 'extend', NEW.lease_token, NEW.updated_at, NEW.locked_until, pg_backend_pid());
     ELSIF OLD.status = 'processing' AND NEW.status <> 'processing' THEN
       INSERT INTO lease_audit (job_id, event, token, at, locked_until, backend)
       VALUES (NEW.id, NEW.status, OLD.lease_token, NEW.updated_at, OLD.locked_until, pg_backend_pid());
     END IF;
     RETURN NULL;
   END $$`,
  `CREATE TRIGGER audit_lease AFTER UPDATE ON jobs FOR EACH ROW EXECUTE FUNCTION audit_lease()`,
];

/** Adds the audit table and trigger to the connection's schema (after migrations). */
export async function addLeaseAudit(conn: PgConnection): Promise<void> {
  for (const statement of AUDIT) await conn.sql.unsafe(statement);
}

/**
 * Each claim's valid window is [claimed at, min(its end event, its last
 * locked_until)). Returns every pair of windows on one job that overlap, and
 * every completion that was not made inside a valid window of its own token.
 */
export async function leaseProblems(conn: PgConnection): Promise<string[]> {
  const overlaps = await conn.sql.unsafe(`
    WITH claims AS (
      SELECT c.job_id, c.token, c.at,
        least(
          (SELECT min(e.at) FROM lease_audit e WHERE e.job_id = c.job_id AND e.token = c.token
             AND e.event IN ('completed', 'pending', 'failed')),
          (SELECT max(x.locked_until) FROM lease_audit x WHERE x.job_id = c.job_id
             AND x.token = c.token AND x.event IN ('claim', 'extend'))) AS ends
      FROM lease_audit c WHERE c.event = 'claim')
    SELECT a.job_id, a.token AS a, b.token AS b, a.at AS a_at, a.ends AS a_ends, b.at AS b_at
    FROM claims a JOIN claims b ON a.job_id = b.job_id AND a.token <> b.token
    WHERE a.at <= b.at AND b.at < a.ends`);
  const badAcks = await conn.sql.unsafe(`
    SELECT e.job_id, e.token, e.at FROM lease_audit e WHERE e.event = 'completed'
      AND NOT EXISTS (SELECT 1 FROM lease_audit c WHERE c.job_id = e.job_id AND c.token = e.token
        AND c.event = 'claim' AND c.at <= e.at
        AND e.at < (SELECT max(x.locked_until) FROM lease_audit x WHERE x.job_id = e.job_id
                    AND x.token = e.token AND x.event IN ('claim', 'extend')))`);
  const twice = await conn.sql.unsafe(`
    SELECT job_id, count(*)::int AS n FROM lease_audit WHERE event = 'completed'
    GROUP BY job_id HAVING count(*) > 1`);
  return [
    ...overlaps.map((r: Record<string, unknown>) => `overlap ${JSON.stringify(r)}`),
    ...badAcks.map((r: Record<string, unknown>) => `ack outside its lease ${JSON.stringify(r)}`),
    ...twice.map((r: Record<string, unknown>) => `completed twice ${JSON.stringify(r)}`),
  ];
}

/** Audit events of one kind, in record order. */
export async function auditEvents(
  conn: PgConnection,
  event: string,
): Promise<{ job_id: number; token: string; at: number; locked_until: number | null }[]> {
  const rows = await conn.sql.unsafe(
    `SELECT job_id::int, token, at::float8 AS at, locked_until::float8 AS locked_until
     FROM lease_audit WHERE event = $1 ORDER BY seq`,
    [event],
  );
  return [...rows];
}
