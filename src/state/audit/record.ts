// Running an operation and recording how it ended, the one way serve and the
// CLI both audit a secret read or write: the entry says who, what and which
// version, never a value.

import { type AuditEntry, type Outcome, outcomeOf } from "./rules.ts";

export type AuditWhat = Omit<AuditEntry, "outcome" | "version">;

export interface RecordOptions<T> {
  /** Where the entry goes (the Client's audit.append, or a wrapper that warns instead). */
  append: (entry: AuditEntry) => Promise<unknown>;
  /** The version the result names, if any. */
  versionOf?: ((result: T) => number | null | undefined) | undefined;
  /** How a failure is named; by default from coffer's error classes. */
  outcomeOf?: ((err: unknown) => Outcome) | undefined;
}

/** Runs `run`, then appends `what` with the outcome (and the version), whether it succeeded or threw. */
export async function recorded<T>(
  what: AuditWhat,
  run: () => Promise<T>,
  options: RecordOptions<T>,
): Promise<T> {
  let result: T;
  try {
    result = await run();
  } catch (err) {
    await options.append({ ...what, outcome: (options.outcomeOf ?? outcomeOf)(err) });
    throw err;
  }
  await options.append({ ...what, version: options.versionOf?.(result) ?? null, outcome: "ok" });
  return result;
}
