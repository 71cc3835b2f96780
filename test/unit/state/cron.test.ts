// Cron expressions: the fields' syntax, the next occurrence in a time zone
// (DST gaps and folds), the day-of-month/day-of-week rule, and refusals.

import { describe, expect, test } from "bun:test";
import { checkTimeZone, nextCron, parseCron } from "../../../src/state/queue/cron.ts";
import { nextRun } from "../../../src/state/queue/schedule-rules.ts";

const at = (iso: string) => Date.parse(iso);
const iso = (t: number) => new Date(t).toISOString().replace(".000", "");

/** The next `n` occurrences after `from`. */
function next(expr: string, from: string, n = 3, tz = "UTC"): string[] {
  const cron = parseCron(expr);
  const out: string[] = [];
  let t = at(from);
  for (let i = 0; i < n; i++) {
    t = nextCron(cron, t, tz);
    out.push(iso(t));
  }
  return out;
}

describe("cron", () => {
  test("steps, ranges, lists and names", () => {
    expect(next("*/20 * * * *", "2026-01-01T00:05:00Z")).toEqual([
      "2026-01-01T00:20:00Z",
      "2026-01-01T00:40:00Z",
      "2026-01-01T01:00:00Z",
    ]);
    expect(next("5,10 4/6 * jan,mar *", "2026-02-27T00:00:00Z")).toEqual([
      "2026-03-01T04:05:00Z",
      "2026-03-01T04:10:00Z",
      "2026-03-01T10:05:00Z",
    ]);
    expect(next("0 9 * * mon-fri", "2026-01-02T10:00:00Z", 2)).toEqual([
      "2026-01-05T09:00:00Z",
      "2026-01-06T09:00:00Z",
    ]);
    expect(next("0 0 29 2 *", "2026-01-01T00:00:00Z", 2)).toEqual([
      "2028-02-29T00:00:00Z",
      "2032-02-29T00:00:00Z",
    ]);
  });

  test("both day fields restricted: either matches; 7 is Sunday", () => {
    // 2026-02-13 is a Friday: the 13th or any Friday.
    expect(next("0 0 13 * 5", "2026-02-01T00:00:00Z", 3)).toEqual([
      "2026-02-06T00:00:00Z",
      "2026-02-13T00:00:00Z",
      "2026-02-20T00:00:00Z",
    ]);
    expect(next("0 0 * * 7", "2026-01-01T00:00:00Z", 1)).toEqual(["2026-01-04T00:00:00Z"]);
  });

  test("in a time zone: wall-clock times; a minute a DST gap skips runs once, shifted past it", () => {
    // Paris, 2026-03-29: 02:00 CET jumps to 03:00 CEST.
    expect(next("30 1-3 * * *", "2026-03-28T23:00:00Z", 3, "Europe/Paris")).toEqual([
      "2026-03-29T00:30:00Z", // 01:30 CET
      "2026-03-29T01:30:00Z", // 03:30 CEST: 02:30 shifted past the gap is 03:30 itself, once
      "2026-03-29T23:30:00Z", // 01:30 CEST the next day
    ]);
    // A daily job in the gap still runs that day, an hour later, then as usual.
    expect(next("30 2 * * *", "2026-03-28T12:00:00Z", 3, "Europe/Paris")).toEqual([
      "2026-03-29T01:30:00Z", // 03:30 CEST (02:30 does not exist)
      "2026-03-30T00:30:00Z", // 02:30 CEST
      "2026-03-31T00:30:00Z",
    ]);
    // Every 20 minutes through the gap: 02:00, 02:20 and 02:40 land on 03:00, 03:20
    // and 03:40, each once, in order.
    expect(next("*/20 1-3 * * *", "2026-03-29T00:30:00Z", 5, "Europe/Paris")).toEqual([
      "2026-03-29T00:40:00Z", // 01:40 CET
      "2026-03-29T01:00:00Z", // 03:00 CEST
      "2026-03-29T01:20:00Z",
      "2026-03-29T01:40:00Z",
      "2026-03-29T23:00:00Z", // 01:00 CEST the next day
    ]);
    // 2026-10-25: 03:00 CEST falls back to 02:00 CET; 02:30 happens twice and runs once.
    expect(next("30 2 * * *", "2026-10-24T12:00:00Z", 2, "Europe/Paris")).toEqual([
      "2026-10-25T00:30:00Z", // 02:30 CEST, the first of the two
      "2026-10-26T01:30:00Z", // 02:30 CET
    ]);
    expect(next("0 9 * * *", "2026-07-01T00:00:00Z", 1, "America/New_York")).toEqual([
      "2026-07-01T13:00:00Z",
    ]);
  });

  test("an interval counts from its anchor; missed occurrences give the next one only", () => {
    const s = { everyMs: 1000, cron: null, tz: "UTC" };
    expect(nextRun(s, 10_000, 10_000)).toBe(11_000);
    expect(nextRun(s, 10_000, 15_500)).toBe(16_000);
  });

  test("refuses what is not a five-field expression or a known zone (exit 2)", () => {
    for (const bad of [
      "* * * *",
      "60 * * * *",
      "*/0 * * * *",
      "5-1 * * * *",
      "a * * * *",
      "* * 0 * *",
      "* * * 13 *",
      "* * * * 8",
      "1,,2 * * * *",
    ]) {
      expect(() => parseCron(bad), bad).toThrow("invalid cron expression");
    }
    expect(() => checkTimeZone("Mars/Olympus")).toThrow("unknown time zone");
    try {
      parseCron("* *");
    } catch (err) {
      expect((err as { code: number }).code).toBe(2);
    }
  });
});
