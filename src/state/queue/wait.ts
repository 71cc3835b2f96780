// Waiting for jobs without busy polling, on either engine: a cheap change
// signal (the store file on SQLite, LISTEN/NOTIFY on PostgreSQL) wakes a
// probe that asks whether a job is claimable; the probe's own answer says
// when something falls due next, and a slow fallback timer covers lost signals.

/** An engine's change signal: calls `onChange` when the queue may have changed. */
export type Subscribe = (onChange: () => void) => Promise<() => void | Promise<void>>;

/** Is a job claimable now, and if not, in how many ms does one fall due (null: nothing scheduled)? */
export type DueProbe = () => Promise<{ due: boolean; nextInMs: number | null }>;

export interface WaitOptions {
  /** Stops the wait (it resolves false). */
  signal?: AbortSignal | undefined;
  /** Gives up after this many ms (it resolves false); default: no limit. */
  timeoutMs?: number | undefined;
  /** The longest between two probes when no change signal came (default: the engine's). */
  fallbackMs?: number | undefined;
}

export interface JobWaiter {
  /** Resolves true once a job is claimable, false on timeout or abort. */
  wait(options?: WaitOptions): Promise<boolean>;
  close(): Promise<void>;
}

/**
 * A waiter over `subscribe`. With `persistent`, the subscription stays open
 * between waits (LISTEN: a round trip to set up); without, it is opened for
 * each wait only (a file watch: cheap to set up, but each event it delivers
 * while the worker is busy would cost a turn of the event loop).
 */
export async function openWaiter(
  subscribe: Subscribe,
  probe: DueProbe,
  fallbackMs: number,
  persistent = true,
): Promise<JobWaiter> {
  let changed = false;
  let wake: (() => void) | undefined;
  const onChange = () => {
    changed = true;
    wake?.();
  };
  const kept = persistent ? await subscribe(onChange) : undefined;
  return {
    async wait(options = {}) {
      const unsubscribe = kept ? undefined : await subscribe(onChange);
      try {
        return await waitUntilDue(options);
      } finally {
        await unsubscribe?.();
      }
    },
    async close() {
      wake?.();
      await kept?.();
    },
  };

  async function waitUntilDue(options: WaitOptions): Promise<boolean> {
    const { signal } = options;
    const deadline =
      options.timeoutMs === undefined ? Number.POSITIVE_INFINITY : Date.now() + options.timeoutMs;
    while (!signal?.aborted) {
      changed = false;
      const { due, nextInMs } = await probe();
      if (due) return true;
      const left = deadline - Date.now();
      if (left <= 0) return false;
      const sleep = Math.min(
        left,
        options.fallbackMs ?? fallbackMs,
        nextInMs ?? Number.POSITIVE_INFINITY,
      );
      if (!changed) await pause(Math.max(0, sleep), signal, (w) => (wake = w));
      wake = undefined;
    }
    return false;
  }
}

/** Sleeps `ms`, or until woken through `setWake` or aborted. */
function pause(
  ms: number,
  signal: AbortSignal | undefined,
  setWake: (wake: () => void) => void,
): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      signal?.removeEventListener("abort", done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal?.addEventListener("abort", done, { once: true });
    setWake(done);
  });
}

/** One wait on a fresh subscription: what `waitForJobs` is on each engine. */
export async function waitOnce(
  open: () => Promise<JobWaiter>,
  options: WaitOptions = {},
): Promise<boolean> {
  const waiter = await open();
  try {
    return await waiter.wait(options);
  } finally {
    await waiter.close();
  }
}
