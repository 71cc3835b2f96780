// Wakes waiting workers: enqueue sends pg_notify(<schema>_jobs, queue); this
// waits for one such notice, or the timeout (the caller polls as a fallback).

import type { SQL } from "bun";
import { jobChannel } from "../../state/queue/postgres-rows.ts";
import type { PgTarget } from "./url.ts";

export interface JobListener {
  /** Resolves true on a notice for the queue, false when `timeoutMs` passes first. */
  wait(timeoutMs: number): Promise<boolean>;
  close(): Promise<void>;
}

/** Subscribes to enqueue notices for `queue` on the pool's dedicated LISTEN connection. */
export async function listenForJobs(
  db: { sql: SQL; target: PgTarget },
  queue: string,
): Promise<JobListener> {
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
        const timer = setTimeout(() => resolve(false), timeoutMs);
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
