// Schedules, written once for both engines: what one is, the checks on a new
// one, and when its next occurrence falls. The SQL that fires them is per engine.

import { UsageError } from "../../errors.ts";
import { LIMITS } from "../../input/limits.ts";
import type { Json } from "../json.ts";
import { parseJsonText, toJsonText } from "../json.ts";
import { checkLabel } from "../validate.ts";
import { checkTimeZone, nextCron, parseCron } from "./cron.ts";

export interface Schedule {
  name: string;
  queue: string;
  payload: Json;
  /** Set for `every`: the interval in ms. */
  everyMs: number | null;
  /** Set for `cron`: the five-field expression. */
  cron: string | null;
  tz: string;
  /** The next occurrence not yet enqueued (ms since the epoch). */
  nextRun: number;
  createdAt: number;
  updatedAt: number;
}

export interface ScheduleSpec {
  /** An interval in ms: occurrences at creation + k × every. */
  every?: number | undefined;
  /** A five-field cron expression, read in `tz`. */
  cron?: string | undefined;
  /** IANA time zone for `cron` (default UTC). */
  tz?: string | undefined;
  payload?: unknown;
}

export interface ScheduleArgs {
  name: string;
  queue: string;
  text: string;
  everyMs: number | null;
  cron: string | null;
  tz: string;
}

const MAX_EVERY_MS = 366 * 86_400_000;

export function checkSchedule(name: string, queue: string, spec: ScheduleSpec): ScheduleArgs {
  checkLabel(name, "schedule name", 128);
  checkLabel(queue, "queue name", 128);
  if ((spec.every === undefined) === (spec.cron === undefined)) {
    throw new UsageError("a schedule needs exactly one of --every and --cron");
  }
  if (
    spec.every !== undefined &&
    !(Number.isSafeInteger(spec.every) && spec.every >= 1000 && spec.every <= MAX_EVERY_MS)
  ) {
    throw new UsageError("every must be from 1s to 366d");
  }
  if (spec.cron !== undefined) parseCron(spec.cron);
  const tz = checkTimeZone(spec.tz ?? "UTC");
  const text = toJsonText(spec.payload ?? {}, "schedule payload", LIMITS.jobPayload);
  return { name, queue, text, everyMs: spec.every ?? null, cron: spec.cron ?? null, tz };
}

/** The first occurrence of a schedule strictly after `now`; an interval counts from `anchor`. */
export function nextRun(
  s: { everyMs: number | null; cron: string | null; tz: string },
  anchor: number,
  now: number,
): number {
  if (s.everyMs !== null)
    return anchor + (Math.floor(Math.max(0, now - anchor) / s.everyMs) + 1) * s.everyMs;
  return nextCron(parseCron(s.cron ?? ""), now, s.tz);
}

/** A schedules row (either engine's, bigints as numbers) as a Schedule. */
export function toSchedule(r: Record<string, unknown>): Schedule {
  const num = (v: unknown) => (v === null || v === undefined ? null : Number(v));
  return {
    name: String(r.name),
    queue: String(r.queue),
    payload: parseJsonText(String(r.payload)),
    everyMs: num(r.every_ms),
    cron: r.cron === null || r.cron === undefined ? null : String(r.cron),
    tz: String(r.tz),
    nextRun: Number(r.next_run),
    createdAt: Number(r.created_at),
    updatedAt: Number(r.updated_at),
  };
}
