// The worker loop, written once for both engines and for `coffer queue work`:
// claim, run the handler with the lease kept alive, then settle the job and
// claim the next one in one transaction. Idle, it waits (./wait.ts), never polls fast.

import { CofferError, UsageError } from "../../errors.ts";
import type { Job } from "../job.ts";
import { checkLease } from "./rules.ts";

/** What a handler is given beside its job. */
export interface JobContext {
  /** Aborted when the worker stops past its grace period: finish up, the job will be released. */
  signal: AbortSignal;
}

/** Returns (or resolves): the job is acked. Throws (or rejects): it is failed with the error's message. */
export type JobHandler = (job: Job, context: JobContext) => unknown;

export interface WorkOptions {
  /** Jobs run side by side (default 1). */
  concurrency?: number | undefined;
  /** Lease per claim in ms (default 5 min); extended while the handler runs. */
  lease?: number | undefined;
  /** Aborting it stops claiming; running jobs get `grace` ms to finish. */
  signal?: AbortSignal | undefined;
  /** Ms the running jobs get after `signal` before theirs is aborted (default: as long as they take). */
  grace?: number | undefined;
  /** Aborting it ends the grace period at once (a second Ctrl-C). */
  force?: AbortSignal | undefined;
  /** Stop after claiming this many jobs. */
  maxJobs?: number | undefined;
  /** Stop once no job is due and none is running. */
  exitWhenEmpty?: boolean | undefined;
  /** Told of a settle that failed (the lease was lost meanwhile, say); the loop goes on. */
  onError?: ((error: unknown, job: Job) => void) | undefined;
}

export interface WorkResult {
  completed: number;
  failed: number;
  /** Jobs handed back unfinished at a stop, their attempt not counted. */
  released: number;
}

/** How a job ended in its handler. */
export type Outcome = { ok: true } | { ok: false; error: string } | { released: true };

/** The engine's side of the loop. */
export interface WorkPort {
  claim(lease: number): Promise<Job | null>;
  /** Settles `job` and, when `next` is given, claims the next one in the same transaction. */
  settle(
    job: Job,
    outcome: { error?: string },
    next: { lease: number } | null,
  ): Promise<Job | null>;
  extend(job: Job, lease: number): Promise<void>;
  release(job: Job): Promise<void>;
  /** Resolves when a job may be due (or the signal aborts); false on timeout. */
  wait(options: { signal: AbortSignal; timeoutMs?: number }): Promise<boolean>;
  close(): Promise<void>;
}

export function checkWorkOptions(options: WorkOptions): void {
  const concurrency = options.concurrency ?? 1;
  if (!Number.isInteger(concurrency) || concurrency < 1 || concurrency > 1000) {
    throw new UsageError("concurrency must be an integer from 1 to 1000");
  }
  checkLease(options.lease);
  const { maxJobs, grace } = options;
  if (maxJobs !== undefined && (!Number.isInteger(maxJobs) || maxJobs < 0)) {
    throw new UsageError("max jobs must be a non-negative integer");
  }
  if (grace !== undefined && !(grace >= 0)) throw new UsageError("grace must be 0 ms or more");
}

/** Runs the loop until stopped, `maxJobs` claimed, or (with exitWhenEmpty) nothing left. */
export async function runWorker(
  port: WorkPort,
  handler: JobHandler,
  options: WorkOptions = {},
): Promise<WorkResult> {
  checkWorkOptions(options);
  const loop = new Loop(port, handler, options);
  try {
    return await loop.run();
  } finally {
    await port.close();
  }
}

class Loop {
  private readonly lease: number;
  private readonly stop = new AbortController();
  private readonly hard = new AbortController();
  private readonly result: WorkResult = { completed: 0, failed: 0, released: 0 };
  private claimed = 0;
  private idle: Promise<boolean> | undefined;
  private graceTimer: ReturnType<typeof setTimeout> | undefined;
  /** Jobs whose handler is still running, with when their lease was last set. */
  private readonly running = new Map<Job, number>();
  private keepAlive: ReturnType<typeof setInterval> | undefined;

  constructor(
    private readonly port: WorkPort,
    private readonly handler: JobHandler,
    private readonly options: WorkOptions,
  ) {
    this.lease = checkLease(options.lease);
  }

  async run(): Promise<WorkResult> {
    const outer = this.options.signal;
    const onStop = () => this.beginStop();
    const onForce = () => {
      this.beginStop();
      this.hard.abort();
    };
    if (outer?.aborted) return this.result;
    outer?.addEventListener("abort", onStop, { once: true });
    this.options.force?.addEventListener("abort", onForce, { once: true });
    try {
      const slots = Array.from({ length: this.options.concurrency ?? 1 }, () => this.slot());
      await Promise.all(slots);
      return this.result;
    } finally {
      outer?.removeEventListener("abort", onStop);
      this.options.force?.removeEventListener("abort", onForce);
      clearTimeout(this.graceTimer);
      clearInterval(this.keepAlive);
    }
  }

  private beginStop(): void {
    if (this.stop.signal.aborted) return;
    this.stop.abort();
    const grace = this.options.grace;
    if (grace === undefined || !Number.isFinite(grace)) return;
    this.graceTimer = setTimeout(() => this.hard.abort(), grace);
  }

  private canClaim(): boolean {
    if (this.stop.signal.aborted) return false;
    return this.options.maxJobs === undefined || this.claimed < this.options.maxJobs;
  }

  /** One lane of work: claim, run, settle-and-claim, until there is nothing more to do. */
  private async slot(): Promise<void> {
    let job = await this.claim();
    while (job) {
      const outcome = await this.runJob(job);
      job = await this.finish(job, outcome);
      if (!job && this.canClaim()) job = await this.claim();
    }
  }

  /** The next job, waiting while none is due (unless exitWhenEmpty); null once stopping. */
  private async claim(): Promise<Job | null> {
    while (this.canClaim()) {
      this.claimed++;
      const job = await this.port.claim(this.lease);
      if (job) return job;
      this.claimed--;
      if (this.options.exitWhenEmpty) return null;
      this.idle ??= this.port.wait({ signal: this.stop.signal }).finally(() => {
        this.idle = undefined;
      });
      await this.idle;
    }
    return null;
  }

  private async runJob(job: Job): Promise<Outcome> {
    const context = { signal: this.hard.signal };
    try {
      // A handler that returns at once costs no timer and no extra turn of the event loop.
      const done = this.handler(job, context);
      if (done && typeof (done as PromiseLike<unknown>).then === "function") {
        this.running.set(job, Date.now());
        this.keepLeases();
        await done;
      }
      return this.hard.signal.aborted ? { released: true } : { ok: true };
    } catch (err) {
      if (this.hard.signal.aborted) return { released: true };
      return { ok: false, error: errorText(err) };
    } finally {
      this.running.delete(job);
    }
  }

  /**
   * One timer for the whole loop, not one per job: every third of a lease it
   * extends each running job's lease, so one late extension still lands in time.
   */
  private keepLeases(): void {
    if (this.keepAlive) return;
    const every = Math.max(10, Math.floor(this.lease / 3));
    this.keepAlive = setInterval(() => {
      if (this.running.size === 0) {
        clearInterval(this.keepAlive);
        this.keepAlive = undefined;
        return;
      }
      const now = Date.now();
      for (const [job, since] of this.running) {
        if (now - since < every / 2) continue;
        this.running.set(job, now);
        this.port.extend(job, this.lease).catch((err) => this.options.onError?.(err, job));
      }
    }, every);
  }

  private async finish(job: Job, outcome: Outcome): Promise<Job | null> {
    try {
      if ("released" in outcome) {
        await this.port.release(job);
        this.result.released++;
        return null;
      }
      const next = this.canClaim() ? { lease: this.lease } : null;
      if (next) this.claimed++;
      let claimed: Job | null;
      try {
        claimed = await this.port.settle(job, outcome.ok ? {} : { error: outcome.error }, next);
      } catch (err) {
        if (next) this.claimed--;
        throw err;
      }
      if (outcome.ok) this.result.completed++;
      else this.result.failed++;
      if (next && !claimed) this.claimed--;
      return claimed;
    } catch (err) {
      if (!(err instanceof CofferError)) throw err;
      this.options.onError?.(err, job);
      return null;
    }
  }
}

function errorText(err: unknown): string {
  if (err instanceof Error) return err.message || err.name;
  return String(err);
}
