// Triggers that record every lease change of the jobs table in the same
// transaction as the change, and a replay that finds broken lease rules.
// Added to test stores only: even a killed worker's claim is on record.

export const AUDIT = `
CREATE TABLE lease_audit (
  seq INTEGER PRIMARY KEY, job_id INTEGER NOT NULL, event TEXT NOT NULL,
  token TEXT, at INTEGER NOT NULL, locked_until INTEGER
);
CREATE TRIGGER audit_claim AFTER UPDATE OF lease_token ON jobs
  WHEN NEW.status = 'processing' AND NEW.lease_token IS NOT OLD.lease_token
BEGIN
  INSERT INTO lease_audit (job_id, event, token, at, locked_until)
  VALUES (NEW.id, 'claim', NEW.lease_token, NEW.updated_at, NEW.locked_until);
END;
CREATE TRIGGER audit_extend AFTER UPDATE OF locked_until ON jobs
  WHEN NEW.status = 'processing' AND OLD.status = 'processing'
   AND NEW.lease_token IS OLD.lease_token
BEGIN
  INSERT INTO lease_audit (job_id, event, token, at, locked_until)
  VALUES (NEW.id, 'extend', NEW.lease_token, NEW.updated_at, NEW.locked_until);
END;
CREATE TRIGGER audit_end AFTER UPDATE OF status ON jobs
  WHEN OLD.status = 'processing' AND NEW.status <> 'processing'
BEGIN
  INSERT INTO lease_audit (job_id, event, token, at, locked_until)
  VALUES (NEW.id, NEW.status, OLD.lease_token, NEW.updated_at, OLD.locked_until);
END;`;

export interface AuditRow {
  job_id: number;
  event: string;
  token: string | null;
  at: number;
  locked_until: number | null;
}

/**
 * Replays one job's lease history and returns every broken rule: a claim
 * while a lease was valid, an ack or extend by a lease that had run out or
 * was not the current one, a lease ending twice.
 */
export function leaseViolations(rows: AuditRow[]): string[] {
  const problems: string[] = [];
  let held: { token: string | null; until: number } | null = null;
  let lastUntil = Number.NEGATIVE_INFINITY;
  for (const r of rows) {
    const where = `job ${r.job_id} ${r.event} at ${r.at}`;
    if (r.event === "claim") {
      if (held) problems.push(`${where}: claimed while lease ${held.token} was unreleased`);
      if (r.at < lastUntil) problems.push(`${where}: claimed before the last lease ran out`);
      held = { token: r.token, until: r.locked_until ?? 0 };
    } else if (!held || held.token !== r.token) {
      problems.push(`${where}: by ${r.token}, which does not hold the job`);
    } else if (r.event === "extend" || r.event === "completed") {
      if (r.at >= held.until) problems.push(`${where}: its lease had run out at ${held.until}`);
      if (r.event === "extend") held.until = r.locked_until ?? 0;
      else held = null;
    } else {
      // Back to pending or failed: by the worker's own fail, or reclaimed after expiry.
      lastUntil = held.until;
      held = null;
    }
  }
  return problems;
}
