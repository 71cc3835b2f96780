// PostgreSQL rows to the shared Job shape (bigint columns arrive as strings),
// the NOTIFY channel of a schema, and why a claim does not hold a job.

import type { PgTarget } from "../../engines/postgres/url.ts";
import { BusyError, NotFoundError } from "../../errors.ts";
import { type Job, toJob } from "../job.ts";

const BIGINTS = ["id", "run_at", "locked_until", "created_at", "updated_at"] as const;

/** A jobs row as Bun.sql returns it, checked and shaped by the shared toJob. */
export function pgJob(row: Record<string, unknown>): Job {
  const r = { ...row };
  delete r.now;
  for (const k of BIGINTS) if (typeof r[k] === "string") r[k] = Number(r[k]);
  return toJob(r);
}

/** One channel per schema, so stores sharing a database do not wake each other. */
export function jobChannel(target: Pick<PgTarget, "schema">): string {
  return `${target.schema}_jobs`.slice(0, 63);
}

/**
 * Why `token` (or anyone, without one) does not hold `job` at server time
 * `now`, or null if it does. The same rule and messages as the private
 * Queue.requireHeld in ../queue.ts, which is not exported: the two should
 * become one function in a shared rules file.
 */
export function heldError(
  id: number,
  job: Job | null,
  token: string | undefined,
  now: number,
): Error | null {
  if (!job) return new NotFoundError(`no job ${id}`);
  if (job.status !== "processing")
    return new BusyError(`job ${id} is not held: it is ${job.status}`);
  if (job.lockedUntil === null || job.lockedUntil <= now) {
    return new BusyError(`job ${id} is no longer held: its lease expired`, {
      hint: "extend the lease before it runs out",
    });
  }
  if (token !== undefined && token !== job.leaseToken) {
    return new BusyError(`job ${id} is held by another claim`);
  }
  return null;
}
