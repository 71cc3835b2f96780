// What a job is: its statuses, its row as stored and read back (each column
// checked), and the default retry backoff.

import { IntegrityError } from "../errors.ts";
import { type Json, parseJsonText } from "./json.ts";

export const JOB_STATUSES = ["pending", "processing", "completed", "failed"] as const;
export type JobStatus = (typeof JOB_STATUSES)[number];

export const DEFAULT_LEASE_MS = 5 * 60_000;
export const DEFAULT_MAX_ATTEMPTS = 3;
export const MAX_DELAY_MS = 366 * 86_400_000;
export const MAX_LEASE_MS = 7 * 86_400_000;

export interface Job {
  id: number;
  queue: string;
  payload: Json;
  status: JobStatus;
  priority: number;
  attempts: number;
  maxAttempts: number;
  dedupeKey: string | null;
  /** Jobs of one group run one at a time, in push order. */
  group: string | null;
  runAt: number;
  lockedUntil: number | null;
  /** Set on a claimed job: pass it to ack/fail/extend to prove the claim is yours. */
  leaseToken: string | null;
  lastError: string | null;
  createdAt: number;
  updatedAt: number;
}

export interface EnqueueOptions {
  /** Milliseconds before the job is due. */
  delay?: number | undefined;
  maxAttempts?: number | undefined;
  /** Higher runs first. */
  priority?: number | undefined;
  /** While a job with this key is pending or processing, enqueue returns its id. */
  dedupeKey?: string | undefined;
  /** At most one job of a group is processing at a time; a group's jobs are claimed in push order. */
  group?: string | undefined;
  /** Due only once every one of these jobs completed; failed if one of them fails for good. */
  after?: readonly number[] | undefined;
}

export interface LeaseOptions {
  /** Only act if the claim is still this one (the leaseToken dequeue returned). */
  token?: string | undefined;
}

export interface QueueOptions {
  /** Delay before retry number `attempt` (1-based); default 1 s doubling, capped at 5 min, ±25 % jitter. */
  backoff?: (attempt: number) => number;
}

export interface QueueStats {
  queue: string;
  pending: number;
  processing: number;
  completed: number;
  failed: number;
}

export function defaultBackoff(attempt: number): number {
  const base = Math.min(300_000, 1000 * 2 ** Math.max(0, attempt - 1));
  return Math.min(300_000, Math.round(base * (0.75 + Math.random() * 0.5)));
}

/** A job's row as the store returns it (PostgreSQL's bigints made numbers); toJob checks each column before trusting it. */
interface JobRow {
  id: number;
  queue: string;
  payload: string;
  status: JobStatus;
  priority: number;
  attempts: number;
  max_attempts: number;
  dedupe_key: string | null;
  group_key?: string | null;
  run_at: number;
  locked_until: number | null;
  lease_token: string | null;
  last_error: string | null;
  created_at: number;
  updated_at: number;
}

const STATUS_SET: ReadonlySet<unknown> = new Set(JOB_STATUSES);
const num = (x: unknown) => typeof x === "number" && !Number.isNaN(x);
const str = (x: unknown) => typeof x === "string";
const strOrNull = (x: unknown) => x === null || typeof x === "string";
const numOrNull = (x: unknown) => x === null || num(x);

/** Each column of JobRow, what it must hold and how to say so. */
const COLUMNS: readonly (readonly [keyof JobRow, (x: unknown) => boolean, string])[] = [
  ["id", num, "a number"],
  ["queue", str, "text"],
  ["payload", str, "text"],
  ["status", (x) => STATUS_SET.has(x), "a job status"],
  ["priority", num, "a number"],
  ["attempts", num, "a number"],
  ["max_attempts", num, "a number"],
  ["dedupe_key", strOrNull, "text or null"],
  // Absent from rows read before migration 4 added it.
  ["group_key", (x) => x === undefined || strOrNull(x), "text or null"],
  ["run_at", num, "a number"],
  ["locked_until", numOrNull, "a number or null"],
  ["lease_token", strOrNull, "text or null"],
  ["last_error", strOrNull, "text or null"],
  ["created_at", num, "a number"],
  ["updated_at", num, "a number"],
];

/**
 * The checks of COLUMNS written out, for the worker's hot path (a loop over
 * the table cost twice as much per job). A row they refuse goes through the
 * table, which says what is wrong.
 */
function isJobRow(row: unknown): row is JobRow {
  if (typeof row !== "object" || row === null) return false;
  const r = row as Record<string, unknown>;
  return (
    num(r.id) &&
    str(r.queue) &&
    str(r.payload) &&
    STATUS_SET.has(r.status) &&
    num(r.priority) &&
    num(r.attempts) &&
    num(r.max_attempts) &&
    strOrNull(r.dedupe_key) &&
    (r.group_key === undefined || strOrNull(r.group_key)) &&
    num(r.run_at) &&
    numOrNull(r.locked_until) &&
    strOrNull(r.lease_token) &&
    strOrNull(r.last_error) &&
    num(r.created_at) &&
    num(r.updated_at)
  );
}

/**
 * A row that is not a job's is the store's damage, not the caller's mistake:
 * an IntegrityError naming the first column that is wrong (its value is not
 * printed, it may be anything).
 */
function checkJobRow(row: unknown): JobRow {
  if (isJobRow(row)) return row;
  const hint = "the store holds a row coffer did not write; coffer status runs quick_check";
  if (typeof row !== "object" || row === null) throw new IntegrityError("a job row is missing");
  const r = row as Record<string, unknown>;
  const id = typeof r.id === "number" ? ` ${r.id}` : "";
  const bad = COLUMNS.find(([column, ok]) => !ok(r[column]));
  throw new IntegrityError(
    bad ? `job${id}: column ${bad[0]} does not hold ${bad[2]}` : `job${id}: the row is damaged`,
    { hint },
  );
}

export function toJob(row: unknown): Job {
  const r = checkJobRow(row);
  return {
    id: r.id,
    queue: r.queue,
    payload: parseJsonText(r.payload),
    status: r.status,
    priority: r.priority,
    attempts: r.attempts,
    maxAttempts: r.max_attempts,
    dedupeKey: r.dedupe_key,
    group: r.group_key ?? null,
    runAt: r.run_at,
    lockedUntil: r.locked_until,
    leaseToken: r.status === "processing" ? r.lease_token : null,
    lastError: r.last_error,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  };
}

export function emptyStats(queue: string): QueueStats {
  return { queue, pending: 0, processing: 0, completed: 0, failed: 0 };
}
