// Wakes waiting workers: enqueue sends pg_notify(<schema>_jobs, queue); a
// listener waits for one such notice, or at most one poll interval, so that a
// notice lost while the LISTEN connection was down costs a poll, not a stall.
// Bun.sql's listener reconnects and re-issues LISTEN by itself; what it cannot
// do is replay notices sent in the gap: hence the polling floor.

import type { SQL } from "bun";
import { jobChannel } from "../../state/queue/postgres-rows.ts";
import type { PgTarget } from "./url.ts";

/** The longest a waiting worker goes without looking at the queue itself. */
export const DEFAULT_POLL_MS = 1000;

export interface JobListener {
  /**
   * Resolves true on a notice for the queue (or one that came since the last
   * wait), false when it is time to poll: after `timeoutMs`, or after the
   * poll interval if that is shorter.
   */
  wait(timeoutMs: number): Promise<boolean>;
  close(): Promise<void>;
}

export interface ListenOptions {
  /** The poll interval in ms (default 1000). */
  pollMs?: number | undefined;
}

/** Subscribes to enqueue notices for `queue` on the pool's dedicated LISTEN connection. */
export async function listenForJobs(
  db: { sql: SQL; target: PgTarget },
  queue: string,
  options: ListenOptions = {},
): Promise<JobListener> {
  const pollMs = options.pollMs ?? DEFAULT_POLL_MS;
  let pending = 0;
  let wake: (() => void) | undefined;
  const sub = await db.sql.listen(jobChannel(db.target), (payload) => {
    if (payload !== queue) return;
    pending++;
    wake?.();
  });
  return {
    async wait(timeoutMs) {
      if (pending > 0) {
        pending = 0;
        return true;
      }
      const woke = await new Promise<boolean>((resolve) => {
        const timer = setTimeout(() => resolve(false), Math.max(0, Math.min(timeoutMs, pollMs)));
        wake = () => {
          clearTimeout(timer);
          resolve(true);
        };
      });
      wake = undefined;
      pending = 0;
      return woke;
    },
    close: () => {
      wake?.(); // a pending wait ends now, not at its timeout
      return sub.unlisten();
    },
  };
}

/**
 * Runs `claim` until it returns something or `timeoutMs` has passed; after
 * each empty claim, waits for a notice or the poll interval. Returns null on
 * timeout. The claim itself decides: a notice only says "look now".
 */
export async function claimOrWait<T>(
  listener: JobListener,
  claim: () => Promise<T | null>,
  timeoutMs: number,
): Promise<T | null> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    const got = await claim();
    if (got !== null) return got;
    const left = deadline - performance.now();
    if (left <= 0) return null;
    await listener.wait(left);
  }
}
