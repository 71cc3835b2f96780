// Valibot pieces the route schemas share: query integers, bounded integers,
// JSON values. openapi.ts reads these same schemas to write the document.

import * as v from "valibot";
import { refuse } from "./api-error.ts";

/** A query parameter holding a non-negative integer, as a number. */
export const queryInt = v.pipe(
  v.string(),
  v.regex(/^\d{1,15}$/, "must be a non-negative integer"),
  v.transform(Number),
);

export function int(min: number, max: number) {
  return v.pipe(v.number(), v.integer(), v.minValue(min), v.maxValue(max));
}

/** Any JSON value (checked for depth and size by the library). */
export const json = v.unknown();

export const text = (max = 512) => v.pipe(v.string(), v.minLength(1), v.maxLength(max));

/** A path id that must be a positive integer (a job's). */
export function positiveId(raw: string | undefined, what: string): number {
  const ok = raw !== undefined && /^\d{1,15}$/.test(raw) && Number(raw) >= 1;
  if (!ok) throw refuse.badRequest(`${what} must be a positive integer`);
  return Number(raw);
}
