// JSON columns: metadata and payloads are stored as text and parsed on the way out.
// What JSON.stringify would change silently (1e999 → null) is refused instead.

import { UsageError } from "../errors.ts";
import { formatLimit, MAX_JSON_DEPTH } from "../input/limits.ts";

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** `value` as JSON text; refused (exit 2) when not exact, too deep, or over `maxBytes`. */
export function toJsonText(value: unknown, what: string, maxBytes?: number): string {
  checkJsonValue(value, what);
  let text: string | undefined;
  try {
    text = JSON.stringify(value);
  } catch (err) {
    throw new UsageError(`${what} is not serializable as JSON`, { cause: err });
  }
  if (text === undefined) throw new UsageError(`${what} is not serializable as JSON`);
  if (maxBytes !== undefined && Buffer.byteLength(text) > maxBytes) {
    throw new UsageError(`${what} is over the ${formatLimit(maxBytes)} limit`);
  }
  return text;
}

export function parseJsonText(text: string | null): Json | null {
  return text === null ? null : (JSON.parse(text) as Json);
}

/** Walks without recursion, so that no depth can overflow the stack before it is refused. */
function checkJsonValue(value: unknown, what: string): void {
  const stack: Array<[unknown, number]> = [[value, 0]];
  for (let item = stack.pop(); item !== undefined; item = stack.pop()) {
    const [v, depth] = item;
    if (typeof v === "number" && !Number.isFinite(v)) {
      throw new UsageError(`${what} holds a number JSON cannot represent (${v})`, {
        hint: "1e999, NaN and Infinity are refused; send such numbers as strings",
      });
    }
    if (typeof v !== "object" || v === null) continue;
    if (depth + 1 > MAX_JSON_DEPTH) {
      throw new UsageError(`${what} nests deeper than ${MAX_JSON_DEPTH} levels`);
    }
    for (const child of Array.isArray(v) ? v : Object.values(v)) stack.push([child, depth + 1]);
  }
}
