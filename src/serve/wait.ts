// What a long-poll claim waits on: a wake-up when a job may have arrived in
// its queue. SQLite: a change to the store's WAL (any process's commit);
// PostgreSQL: the enqueue NOTIFY. A slow poll covers delayed jobs falling due.
// The claim route only sees JobWaiter, so another primitive can replace these.

import { type FSWatcher, watch } from "node:fs";
import { basename, dirname } from "node:path";
import { SQL } from "bun";
import { sqlOptions } from "../engines/postgres/connect.ts";
import { parsePostgresUrl } from "../engines/postgres/url.ts";
import { jobChannel } from "../state/queue/postgres-rows.ts";

export interface JobWaiter {
  /** Resolves when a job may have come to `queue`, after `timeoutMs`, or when `signal` aborts. */
  wait(queue: string, timeoutMs: number, signal: AbortSignal): Promise<void>;
  /** This process enqueued into `queue`: wake its waiters now. */
  notify(queue: string): void;
  close(): Promise<void>;
}

/** Even with no event, a waiting claim looks again this often (a delayed job falling due). */
export const POLL_MS = 500;

/** The waiters, by queue; `null` wakes every queue. */
export class Waiters implements JobWaiter {
  private readonly byQueue = new Map<string, Set<() => void>>();

  constructor(private readonly onClose: () => Promise<void> = async () => {}) {}

  wait(queue: string, timeoutMs: number, signal: AbortSignal): Promise<void> {
    return new Promise((resolve) => {
      const set = this.byQueue.get(queue) ?? new Set();
      this.byQueue.set(queue, set);
      const done = () => {
        clearTimeout(timer);
        signal.removeEventListener("abort", done);
        set.delete(done);
        if (set.size === 0 && this.byQueue.get(queue) === set) this.byQueue.delete(queue);
        resolve();
      };
      const timer = setTimeout(done, Math.max(0, Math.min(timeoutMs, POLL_MS)));
      if (signal.aborted) done();
      else signal.addEventListener("abort", done);
      set.add(done);
    });
  }

  notify(queue: string | null): void {
    const sets = queue === null ? [...this.byQueue.values()] : [this.byQueue.get(queue)];
    for (const set of sets) for (const wake of [...(set ?? [])]) wake();
  }

  get waiting(): boolean {
    return this.byQueue.size > 0;
  }

  close(): Promise<void> {
    this.notify(null);
    return this.onClose();
  }
}

/** SQLite: every write to the store's WAL (or the file) wakes every waiting queue. */
export function sqliteWaiter(path: string): JobWaiter {
  const names = new Set([basename(path), `${basename(path)}-wal`]);
  let watcher: FSWatcher | undefined;
  const waiters = new Waiters(async () => watcher?.close());
  try {
    watcher = watch(dirname(path), (_event, file) => {
      if (file !== null && names.has(String(file)) && waiters.waiting) waiters.notify(null);
    });
  } catch {
    // No watch (an exotic file system): the poll alone still finds the job.
  }
  return waiters;
}

/** PostgreSQL: LISTEN on the schema's job channel over a connection of its own. */
export async function postgresWaiter(url: string): Promise<JobWaiter> {
  const target = parsePostgresUrl(url);
  const sql = new SQL(
    `postgres://localhost/?sslmode=${target.sslmode}`,
    sqlOptions(target, { max: 1 }),
  );
  let unlisten = async () => {};
  const waiters = new Waiters(async () => {
    await unlisten().catch(() => {});
    await sql.close().catch(() => {});
  });
  try {
    const sub = await sql.listen(jobChannel(target), (queue) => waiters.notify(queue));
    unlisten = () => sub.unlisten();
  } catch {
    // LISTEN failed: the poll alone still finds the job, a little later.
  }
  return waiters;
}
