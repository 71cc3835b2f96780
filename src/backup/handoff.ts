// Ends the backup's snapshot so that this process, not the next writer,
// writes back the WAL that grew during the copy.
//
// The moment the snapshot ends, any committing writer's automatic checkpoint
// would start writing back that whole backlog inside its own commit (seen:
// 60-100 ms stalls at full speed). So a worker thread holds the write lock for
// a few milliseconds around the release; this thread starts its checkpoint in
// that window and owns the checkpoint lock; a writer's own automatic
// checkpoint then finds it taken and returns at once (PASSIVE never waits).

import type { Database } from "bun:sqlite";
import { passiveCheckpoint, releaseSnapshot } from "./snapshot.ts";

/** The window, in ms, in which writers wait while this thread takes the checkpoint lock. */
const HANDOFF_MS = 2;

/** How long the WAL truncation may wait for readers to move on, in ms. */
const TRUNCATE_WAIT_MS = 20;

// A string, not a module: a blob worker needs no extra entry point in the
// compiled binary. It only opens, begins IMMEDIATE, rolls back, closes.
const GATE_WORKER = `
import { Database } from "bun:sqlite";
let db;
self.onmessage = ({ data }) => {
  try {
    if (data.op === "open") {
      db = new Database(data.path, { readwrite: true, create: false });
      db.run("PRAGMA busy_timeout = " + data.busyTimeoutMs);
      db.query("SELECT count(*) FROM sqlite_schema").get();
    } else if (data.op === "hold") {
      db.run("BEGIN IMMEDIATE");
    } else if (data.op === "release") {
      Bun.sleepSync(data.afterMs);
      db.run("ROLLBACK");
    } else if (data.op === "truncate") {
      // Take the write lock as any writer would, then check out of it straight
      // into the checkpoint: writers waiting for the lock are asleep in their
      // busy handlers for at least a millisecond, so the checkpoint gets it.
      // A writer's own automatic checkpoint may hold the checkpoint lock (the
      // attempt then fails at once, holding nothing): try again a few times.
      let r;
      for (let attempt = 0; attempt < data.attempts; attempt++) {
        db.run("BEGIN IMMEDIATE");
        db.run("ROLLBACK");
        db.run("PRAGMA busy_timeout = " + data.waitMs);
        r = db.query("PRAGMA wal_checkpoint(TRUNCATE)").get();
        db.run("PRAGMA busy_timeout = " + data.busyTimeoutMs);
        if (!(r.busy && r.log === -1)) break;
        Bun.sleepSync(data.pauseMs);
      }
      postMessage({ ok: r.busy === 0 });
      return;
    } else if (data.op === "close") {
      db?.close(false);
    }
    postMessage({ ok: true });
  } catch (err) {
    try { if (db?.inTransaction) db.run("ROLLBACK"); } catch {}
    postMessage({ ok: false, error: String(err) });
  }
};`;

/** Without a worker (none could start) the release still works; only the writer may pay. */
export class CheckpointHandoff {
  private readonly worker: Worker | undefined;
  private readonly url: string;
  private readonly pending: Promise<boolean>;
  private readonly busyTimeoutMs: number;

  constructor(path: string, busyTimeoutMs: number) {
    this.busyTimeoutMs = busyTimeoutMs;
    this.url = URL.createObjectURL(new Blob([GATE_WORKER], { type: "application/javascript" }));
    try {
      this.worker = new Worker(this.url);
    } catch {
      this.worker = undefined;
    }
    this.pending = this.call({ op: "open", path, busyTimeoutMs });
  }

  private call(message: Record<string, unknown>): Promise<boolean> {
    const worker = this.worker;
    if (!worker) return Promise.resolve(false);
    return new Promise((resolve) => {
      worker.addEventListener("message", (e) => resolve(Boolean(e.data?.ok)), { once: true });
      worker.addEventListener("error", () => resolve(false), { once: true });
      worker.postMessage(message);
    });
  }

  /** Releases the snapshot on `reader` and checkpoints the backlog from this thread. */
  async release(reader: Database): Promise<void> {
    const held = (await this.pending) && (await this.call({ op: "hold" }));
    // A writer's checkpoint attempt begun before the hold fails on the snapshot; let it end.
    if (held) Bun.sleepSync(1);
    releaseSnapshot(reader);
    const released = held ? this.call({ op: "release", afterMs: HANDOFF_MS }) : undefined;
    try {
      passiveCheckpoint(reader, 1000);
    } finally {
      await released;
    }
    if (!held) return;
    // The WAL file keeps the size it grew to (writers reuse it, never shrink
    // it). Catch up on what was written meanwhile, then truncate it: only the
    // last few frames are written back while writers wait.
    passiveCheckpoint(reader, 200);
    await this.call({
      op: "truncate",
      waitMs: TRUNCATE_WAIT_MS,
      attempts: 5,
      pauseMs: 3,
      busyTimeoutMs: this.busyTimeoutMs,
    });
  }

  async close(): Promise<void> {
    await this.call({ op: "close" });
    this.worker?.terminate();
    URL.revokeObjectURL(this.url);
  }
}
