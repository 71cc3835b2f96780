// The worker loop's port and the waiter on SQLite: the sync queue's calls,
// run directly (a Store) or in turn with the rest (the async Client's mutex).

import type { StoreCore } from "../../store/core.ts";
import type { Job } from "../job.ts";
import type { Queue } from "./sqlite.ts";
import { type JobWaiter, openWaiter, type WaitOptions, waitOnce } from "./wait.ts";
import { SQLITE_FALLBACK_MS, watchStore } from "./wait-sqlite.ts";
import {
  type JobHandler,
  runWorker,
  type WorkOptions,
  type WorkPort,
  type WorkResult,
} from "./work.ts";

/** Runs one store call: directly, or queued behind the Client's other operations. */
export type Via = <T>(run: () => T) => Promise<T>;

const direct: Via = async (run) => run();

/** A waiter on `queues`: woken by writes to the store file, probing each queue in turn. */
export function storeWaiter(
  store: Pick<StoreCore, "path">,
  queue: Queue,
  queues: readonly string[],
  via: Via = direct,
): Promise<JobWaiter> {
  return openWaiter(
    watchStore(store.path),
    () =>
      via(() => {
        let nextInMs: number | null = null;
        for (const name of queues) {
          const d = queue.due(name);
          if (d.due) return d;
          if (d.nextInMs !== null) nextInMs = Math.min(nextInMs ?? d.nextInMs, d.nextInMs);
        }
        return { due: false, nextInMs };
      }),
    SQLITE_FALLBACK_MS,
    false,
  );
}

/** The loop's port for one queue of a SQLite store. */
export async function storeWorkPort(
  store: Pick<StoreCore, "path">,
  queue: Queue,
  name: string,
  via: Via = direct,
): Promise<WorkPort> {
  const waiter = await storeWaiter(store, queue, [name], via);
  const held = (job: Job) => ({ token: job.leaseToken ?? undefined });
  return {
    claim: (lease) => via(() => queue.dequeue(name, { lease })),
    settle: (job, outcome, next) =>
      via(() =>
        queue.settleAndClaim(
          job.id,
          { ...held(job), error: outcome.error },
          next ? { queue: name, lease: next.lease } : undefined,
        ),
      ),
    extend: async (job, lease) => {
      await via(() => queue.extend(job.id, lease, held(job)));
    },
    release: (job) => via(() => queue.release(job.id, held(job))),
    wait: (options) => waiter.wait(options),
    close: () => waiter.close(),
  };
}

/** queue.work on SQLite, for a Store (direct) and the Client (each call in its turn). */
export async function workOn(
  store: Pick<StoreCore, "path">,
  queue: Queue,
  name: string,
  handler: JobHandler,
  options: WorkOptions,
  via: Via = direct,
): Promise<WorkResult> {
  return runWorker(await storeWorkPort(store, queue, name, via), handler, options);
}

/** queue.waitForJobs on SQLite, for a Store (direct) and the Client (each call in its turn). */
export function waitOn(
  store: Pick<StoreCore, "path">,
  queue: Queue,
  queues: readonly string[],
  options: WaitOptions,
  via: Via = direct,
): Promise<boolean> {
  return waitOnce(() => storeWaiter(store, queue, queues, via), options);
}
