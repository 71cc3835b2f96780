// Five-field cron expressions (minute hour day-of-month month day-of-week)
// with ranges, lists, steps and names, and their next occurrence in a time
// zone. As Vixie cron: when both day fields are restricted, either may match.
// A wall-clock minute a DST change skips runs as that minute shifted past the
// gap (02:30 on a night 02:00 jumps to 03:00 runs at 03:30, as Temporal's
// "compatible" reading of such a time), so a daily job is not lost that day;
// a minute a DST change repeats runs once, at its first instant.

import { UsageError } from "../../errors.ts";

export interface Cron {
  minutes: readonly number[];
  hours: readonly number[];
  days: ReadonlySet<number>;
  months: ReadonlySet<number>;
  weekdays: ReadonlySet<number>;
  /** Both day fields restricted: a day matching either one counts. */
  eitherDay: boolean;
}

const MONTHS = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"];
const WEEKDAYS = ["sun", "mon", "tue", "wed", "thu", "fri", "sat"];

const FIELDS = [
  { name: "minute", min: 0, max: 59, names: [] as string[], base: 0 },
  { name: "hour", min: 0, max: 23, names: [], base: 0 },
  { name: "day of month", min: 1, max: 31, names: [], base: 0 },
  { name: "month", min: 1, max: 12, names: MONTHS, base: 1 },
  { name: "day of week", min: 0, max: 7, names: WEEKDAYS, base: 0 },
] as const;

export function parseCron(expr: string): Cron {
  const parts = expr.trim().split(/\s+/);
  if (parts.length !== 5) {
    throw invalid(expr, `it has ${parts.length} field(s), not 5 (minute hour day month weekday)`);
  }
  const sets = parts.map((part, i) => parseField(expr, part, FIELDS[i] as (typeof FIELDS)[number]));
  const [minutes, hours, days, months, weekdays] = sets as [
    number[],
    number[],
    number[],
    number[],
    number[],
  ];
  const dow = new Set(weekdays.map((d) => d % 7));
  return {
    minutes,
    hours,
    days: new Set(days),
    months: new Set(months),
    weekdays: dow,
    eitherDay: !parts[2]?.startsWith("*") && !parts[4]?.startsWith("*"),
  };
}

function parseField(expr: string, text: string, field: (typeof FIELDS)[number]): number[] {
  const values = new Set<number>();
  for (const item of text.split(",")) {
    const m = /^(\*|[a-z0-9]+(?:-[a-z0-9]+)?)(?:\/(\d+))?$/i.exec(item);
    if (!m) throw invalid(expr, `'${item}' is not a valid ${field.name}`);
    const step = m[2] === undefined ? 1 : Number(m[2]);
    if (step < 1) throw invalid(expr, `step ${m[2]} in '${item}' must be 1 or more`);
    let lo: number = field.min;
    let hi: number = field.max;
    if (m[1] !== "*") {
      const [a, b] = (m[1] as string).split("-");
      lo = value(expr, a as string, field);
      hi = b === undefined ? (m[2] === undefined ? lo : field.max) : value(expr, b, field);
      if (lo > hi) throw invalid(expr, `range '${m[1]}' runs backwards`);
    }
    for (let v = lo; v <= hi; v += step) values.add(v);
  }
  return [...values].sort((a, b) => a - b);
}

function value(expr: string, text: string, field: (typeof FIELDS)[number]): number {
  const named = (field.names as readonly string[]).indexOf(text.toLowerCase());
  const n = named >= 0 ? named + field.base : /^\d+$/.test(text) ? Number(text) : Number.NaN;
  if (!(n >= field.min && n <= field.max)) {
    throw invalid(expr, `${field.name} '${text}' is not from ${field.min} to ${field.max}`);
  }
  return n;
}

function invalid(expr: string, why: string): UsageError {
  return new UsageError(`invalid cron expression '${expr}': ${why}`, {
    hint: "five fields: minute hour day-of-month month day-of-week, e.g. '*/15 9-17 * * mon-fri'",
  });
}

/** Checks a time zone name (exit 2 if unknown). */
export function checkTimeZone(tz: string): string {
  try {
    formatter(tz);
  } catch {
    throw new UsageError(`unknown time zone '${tz}'`, {
      hint: "use an IANA name such as Europe/Paris or UTC",
    });
  }
  return tz;
}

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(tz: string): Intl.DateTimeFormat {
  let f = formatters.get(tz);
  if (!f) {
    f = new Intl.DateTimeFormat("en-US", {
      timeZone: tz,
      hourCycle: "h23",
      year: "numeric",
      month: "numeric",
      day: "numeric",
      hour: "numeric",
      minute: "numeric",
    });
    formatters.set(tz, f);
  }
  return f;
}

/** The wall-clock fields of `t` in `tz`. */
function wall(t: number, tz: string): { y: number; mo: number; d: number; h: number; mi: number } {
  const p: Record<string, number> = {};
  for (const part of formatter(tz).formatToParts(t)) p[part.type] = Number(part.value);
  return { y: p.year ?? 0, mo: p.month ?? 0, d: p.day ?? 0, h: p.hour ?? 0, mi: p.minute ?? 0 };
}

/** Two days: offsets this far either side of a time bracket any DST change near it. */
const BRACKET_MS = 2 * 86_400_000;

/**
 * The instant a wall-clock minute in `tz` falls on: the first of the two in a
 * repeated hour; for a minute a DST gap skips (`shifted`), the minute read
 * with the offset from before the gap, which lands the gap's length later.
 */
function instant(
  y: number,
  mo: number,
  d: number,
  h: number,
  mi: number,
  tz: string,
): { t: number; shifted: boolean } {
  const guess = Date.UTC(y, mo - 1, d, h, mi);
  const around = [offsetAt(guess - BRACKET_MS, tz), offsetAt(guess + BRACKET_MS, tz)];
  const matches = around
    .map((offset) => guess - offset)
    .filter((t) => {
      const w = wall(t, tz);
      return w.y === y && w.mo === mo && w.d === d && w.h === h && w.mi === mi;
    });
  if (matches.length > 0) return { t: Math.min(...matches), shifted: false };
  // A gap: the clock jumped forward, so the smaller offset is the one before it.
  return { t: guess - Math.min(...around), shifted: true };
}

/** How far `tz`'s wall clock is ahead of UTC at `t`, in ms. */
function offsetAt(t: number, tz: string): number {
  const w = wall(t, tz);
  return Date.UTC(w.y, w.mo - 1, w.d, w.h, w.mi) - (t - (((t % 60_000) + 60_000) % 60_000));
}

/** The first occurrence of `cron` in `tz` strictly after `after` (ms); searches eight years. */
export function nextCron(cron: Cron, after: number, tz: string): number {
  const start = wall(after, tz);
  // A gap's minute lands later than its wall time says: the earliest of those is
  // kept until the first ordinary occurrence past `after` shows which comes first.
  let shifted: number | null = null;
  for (let i = 0; i < 366 * 8; i++) {
    const day = new Date(Date.UTC(start.y, start.mo - 1, start.d + i));
    const y = day.getUTCFullYear();
    const mo = day.getUTCMonth() + 1;
    const d = day.getUTCDate();
    if (!cron.months.has(mo) || !dayMatches(cron, d, day.getUTCDay())) continue;
    for (const h of cron.hours) {
      if (i === 0 && h < start.h) continue;
      for (const mi of cron.minutes) {
        const at = instant(y, mo, d, h, mi, tz);
        if (at.t <= after) continue;
        if (!at.shifted) return shifted !== null && shifted < at.t ? shifted : at.t;
        shifted = shifted === null ? at.t : Math.min(shifted, at.t);
      }
    }
  }
  if (shifted !== null) return shifted;
  throw new UsageError("the cron expression has no occurrence in the next eight years");
}

function dayMatches(cron: Cron, day: number, weekday: number): boolean {
  const dom = cron.days.has(day);
  const dow = cron.weekdays.has(weekday);
  return cron.eitherDay ? dom || dow : dom && dow;
}
