// The queue's rules, written once for both engines: argument checks, the
// stored error text, and why a claim does not hold a job. Only SQL differs.

import { BusyError, NotFoundError, UsageError } from "../../errors.ts";
import { LIMITS } from "../../input/limits.ts";
import {
  DEFAULT_LEASE_MS,
  DEFAULT_MAX_ATTEMPTS,
  type EnqueueOptions,
  JOB_STATUSES,
  type Job,
  type JobStatus,
  MAX_DELAY_MS,
  MAX_LEASE_MS,
} from "../job.ts";
import { toJsonText } from "../json.ts";
import { checkInteger, checkLabel, checkText, pageSize } from "../validate.ts";

/** An enqueue's arguments, checked and with defaults filled in. */
export interface EnqueueArgs {
  queue: string;
  /** The payload as JSON text. */
  text: string;
  delay: number;
  maxAttempts: number;
  priority: number;
  dedupeKey: string | null;
  group: string | null;
  /** Parent job ids, unique, in the order given. */
  after: number[];
}

/** Checks an enqueue (exit 2 on anything bad); a queue name is a label: no control characters. */
export function checkEnqueue(
  queue: string,
  payload: unknown,
  options: EnqueueOptions = {},
): EnqueueArgs {
  checkLabel(queue, "queue name", 128);
  const text = toJsonText(payload, "job payload", LIMITS.jobPayload);
  const delay = options.delay ?? 0;
  checkInteger(delay, "delay", 0, MAX_DELAY_MS);
  const maxAttempts = options.maxAttempts ?? DEFAULT_MAX_ATTEMPTS;
  checkInteger(maxAttempts, "max attempts", 1, 1000);
  const priority = options.priority ?? 0;
  checkInteger(priority, "priority", -(2 ** 31), 2 ** 31 - 1);
  const dedupeKey = options.dedupeKey ?? null;
  if (dedupeKey !== null) checkText(dedupeKey, "dedupe key");
  const group = options.group ?? null;
  if (group !== null) checkLabel(group, "group", 256);
  const after = [...new Set(options.after ?? [])];
  if (after.length > 100) throw new UsageError("a job can wait for at most 100 others");
  for (const id of after) checkInteger(id, "parent job id", 1, Number.MAX_SAFE_INTEGER);
  return { queue, text, delay, maxAttempts, priority, dedupeKey, group, after };
}

/** A lease length in ms (default 5 min). */
export function checkLease(lease: number | undefined): number {
  const ms = lease ?? DEFAULT_LEASE_MS;
  checkInteger(ms, "lease", 1, MAX_LEASE_MS);
  return ms;
}

/** How many jobs one dequeueMany may claim. */
export function checkClaimLimit(limit: number): number {
  checkInteger(limit, "limit", 1, 1000);
  return limit;
}

/** An explicit retry delay given to fail, if any. */
export function checkRetryDelay(delay: number | undefined): void {
  if (delay !== undefined) checkInteger(delay, "retry delay", 0, MAX_DELAY_MS);
}

/** The age a purge deletes finished jobs beyond. */
export function checkPurgeAge(olderThan: number): number {
  checkInteger(olderThan, "age", 0, Number.MAX_SAFE_INTEGER);
  return olderThan;
}

/** A list's page and status filter. */
export function checkListOptions(
  options: { status?: JobStatus; limit?: number; offset?: number } = {},
): { status: JobStatus | null; limit: number; offset: number } {
  const limit = pageSize(options.limit, 100);
  const offset = Math.max(0, Math.trunc(options.offset ?? 0));
  if (options.status !== undefined && !JOB_STATUSES.includes(options.status)) {
    throw new UsageError(`status must be one of ${JOB_STATUSES.join(", ")}`);
  }
  return { status: options.status ?? null, limit, offset };
}

/** A failure's error as stored: redacted first (SEC-08), then cut to 4 KiB. Payloads are not redacted: a worker needs them exactly. */
export function storedError(error: string, redact: (text: string) => string): string {
  return redact(error).slice(0, 4096);
}

/**
 * Why `token` (or anyone, without one) does not hold `job` at store time
 * `now`, or null if it does.
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

/** A retry is only for a failed job. */
export function retryError(id: number, job: Pick<Job, "status"> | null): Error | null {
  if (!job) return new NotFoundError(`no job ${id}`);
  if (job.status !== "failed") {
    return new BusyError(`job ${id} is ${job.status}, not failed: only failed jobs can be retried`);
  }
  return null;
}

/**
 * A job as reported at `now`: once its lease ran out it is pending again (or
 * failed, its attempts spent), as the next claim will record it (SPEC §12).
 */
export function asSeen(job: Job, now: number): Job {
  if (job.status !== "processing" || job.lockedUntil === null || job.lockedUntil > now) return job;
  const dead = job.attempts >= job.maxAttempts;
  return {
    ...job,
    status: dead ? "failed" : "pending",
    lockedUntil: null,
    leaseToken: null,
    lastError: dead
      ? `lease expired on attempt ${job.attempts} of ${job.maxAttempts} (worker died?)`
      : job.lastError,
  };
}

/** A retry would put a second live job under one dedupe key: exit 6, naming the live one. */
export function dedupeTakenError(id: number, key: string, liveId: number): Error {
  return new BusyError(
    `job ${id} cannot be retried: its dedupe key is taken by live job ${liveId}`,
    {
      hint: `wait for job ${liveId} to finish, or retry later (key ${JSON.stringify(key)})`,
    },
  );
}

/** The error a job gets when a job it waits for fails for good. */
export function dependencyFailed(parentId: number): string {
  return `dependency ${parentId} failed`;
}
