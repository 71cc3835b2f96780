// JSON columns: metadata and payloads are stored as text and parsed on the way out.

import { UsageError } from "../errors.ts";

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

export function toJsonText(value: unknown, what: string): string {
  let text: string | undefined;
  try {
    text = JSON.stringify(value);
  } catch (err) {
    throw new UsageError(`${what} is not serializable as JSON`, { cause: err });
  }
  if (text === undefined) throw new UsageError(`${what} is not serializable as JSON`);
  return text;
}

export function parseJsonText(text: string | null): Json | null {
  return text === null ? null : (JSON.parse(text) as Json);
}
