// What a claim on SQLite does before it claims: expired leases back to
// pending (or failed), due schedules enqueued. Looking costs two statements
// per claim, so each connection remembers, per queue, the earliest time a
// lease can run out or a schedule fall due, as it last read it, and looks
// again only once that time has come or another connection has committed
// since (PRAGMA data_version). A claim at `now` still reclaims every lease
// that ended by `now`: nothing is skipped, only looks that must find nothing.

import type { Database } from "bun:sqlite";
import { fireSchedules, parentFailed } from "./sqlite-graph.ts";
import { LIVE, RECLAIM_EXPIRED } from "./sqlite-sql.ts";

/** ?1 queue: the earliest lease end and schedule due time (both indexed). */
const NEXT_EVENT = `SELECT
  (SELECT min(locked_until) FROM jobs WHERE queue = ?1 AND status = 'processing' AND ${LIVE}) AS lease,
  (SELECT min(next_run) FROM schedules WHERE queue = ?1) AS schedule`;

interface Watch {
  /** PRAGMA data_version when `next` was read: it changes when another connection commits. */
  version: number;
  /** Per queue: nothing is due before this time, unless this connection made it so. */
  next: Map<string, number>;
}

const watches = new WeakMap<Database, Watch>();

/**
 * Reclaims expired leases and fires due schedules of `queue`, unless nothing
 * can be due yet. `trusted`: this is the outermost transaction, so what it
 * reads commits with it (a rolled-back reclaim must not be remembered).
 */
export function housekeep(db: Database, queue: string, now: number, trusted: boolean): void {
  const version = (db.query("PRAGMA data_version").get() as { data_version: number }).data_version;
  let watch = watches.get(db);
  if (watch?.version !== version) {
    watch = { version, next: new Map() };
    watches.set(db, watch);
  }
  const next = watch.next.get(queue);
  if (next !== undefined && now < next) return;
  const rows = db.query(RECLAIM_EXPIRED).all(now, queue) as { id: number; status: string }[];
  for (const r of rows) if (r.status === "failed") parentFailed(db, r.id, now);
  fireSchedules(db, queue, now);
  if (!trusted) {
    watch.next.delete(queue);
    return;
  }
  const row = db.query(NEXT_EVENT).get(queue) as { lease: number | null; schedule: number | null };
  watch.next.set(queue, Math.min(row.lease ?? Infinity, row.schedule ?? Infinity));
}

/** This connection set a lease of `queue` to end at `end` (a claim, an extension): look again by then. */
export function leased(db: Database, queue: string, end: number): void {
  const watch = watches.get(db);
  const next = watch?.next.get(queue);
  if (watch && next !== undefined && end < next) watch.next.set(queue, end);
}

/** Forget what was read: a transaction that read it rolled back, or this connection changed schedules. */
export function forgetHousekeeping(db: Database): void {
  watches.delete(db);
}
