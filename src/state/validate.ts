// Argument checks shared by the state modules; each failure is a UsageError (exit 2).

import { UsageError } from "../errors.ts";

export function pageSize(limit: number | undefined, fallback = 50): number {
  if (limit === undefined) return fallback;
  if (!Number.isInteger(limit) || limit < 1) {
    throw new UsageError(`limit must be a positive integer, got ${limit}`);
  }
  return limit;
}

export function checkText(value: string, what: string, max = 512): void {
  if (typeof value !== "string" || value.length === 0 || value.length > max) {
    throw new UsageError(`${what} must be a non-empty string of at most ${max} characters`);
  }
}

// C0, DEL, C1, and the bidi controls that make text display as something else.
// biome-ignore lint/suspicious/noControlCharactersInRegex: finding them is the point.
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/;

/** A name people read in tables (a queue's): checkText, and no control characters. */
export function checkLabel(value: string, what: string, max = 512): void {
  checkText(value, what, max);
  if (CONTROL.test(value)) {
    throw new UsageError(`${what} must not contain control characters (newline, escape, …)`);
  }
}

export function checkInteger(value: number, what: string, min: number, max: number): void {
  if (!Number.isSafeInteger(value) || value < min || value > max) {
    throw new UsageError(`${what} must be an integer from ${min} to ${max}, got ${value}`);
  }
}
