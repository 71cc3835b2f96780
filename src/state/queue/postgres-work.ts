// The worker loop's port and the waiter on PostgreSQL: LISTEN/NOTIFY
// (engines/postgres/listen.ts) wakes the probe; a poll every second covers
// a notice lost to a dropped connection.

import type { PgHandle } from "../../engines/postgres/handle.ts";
import { listenForJobs } from "../../engines/postgres/listen.ts";
import type { PgQueue } from "./postgres.ts";
import { type JobWaiter, openWaiter, type Subscribe } from "./wait.ts";
import type { WorkPort } from "./work.ts";

export const PG_FALLBACK_MS = 1000;

/** Notices for any of `queues` on the pool's LISTEN connection. */
function listenTo(db: PgHandle, queues: readonly string[]): Subscribe {
  return async (onChange) => {
    const listeners = await Promise.all(queues.map((q) => listenForJobs(db, q)));
    let open = true;
    for (const l of listeners) {
      void (async () => {
        while (open) if (await l.wait(PG_FALLBACK_MS)) onChange();
      })();
    }
    return async () => {
      open = false;
      await Promise.all(listeners.map((l) => l.close()));
    };
  };
}

/** A waiter on `queues`: woken by enqueue notices, probing each queue in turn. */
export function pgWaiter(
  db: PgHandle,
  queue: PgQueue,
  queues: readonly string[],
): Promise<JobWaiter> {
  return openWaiter(
    listenTo(db, queues),
    async () => {
      let nextInMs: number | null = null;
      for (const name of queues) {
        const d = await queue.due(name);
        if (d.due) return d;
        if (d.nextInMs !== null) nextInMs = Math.min(nextInMs ?? d.nextInMs, d.nextInMs);
      }
      return { due: false, nextInMs };
    },
    PG_FALLBACK_MS,
  );
}

/** The loop's port for one queue on PostgreSQL. */
export async function pgWorkPort(db: PgHandle, queue: PgQueue, name: string): Promise<WorkPort> {
  const waiter = await pgWaiter(db, queue, [name]);
  const token = (job: { leaseToken: string | null }) => job.leaseToken ?? undefined;
  return {
    claim: (lease) => queue.dequeue(name, { lease }),
    settle: (job, outcome, next) =>
      queue.settleAndClaim(
        job.id,
        { token: token(job), error: outcome.error },
        next ? { queue: name, lease: next.lease } : undefined,
      ),
    extend: async (job, lease) => {
      await queue.extend(job.id, lease, { token: token(job) });
    },
    release: (job) => queue.release(job.id, { token: token(job) }),
    wait: (options) => waiter.wait(options),
    close: () => waiter.close(),
  };
}
