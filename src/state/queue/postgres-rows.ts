// PostgreSQL rows to the shared Job shape (bigint columns arrive as strings),
// and the NOTIFY channel of a schema.

import type { PgTarget } from "../../engines/postgres/url.ts";
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
