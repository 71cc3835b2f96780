// A read-only report on an open store, for `coffer status` and library users.

import { statSync } from "node:fs";
import { JOB_STATUSES, type JobStatus } from "../state/queue/sqlite.ts";
import { SEEN_STATUS } from "../state/queue/sqlite-sql.ts";
import { schemaVersion } from "./migrate.ts";
import type { Store } from "./store.ts";

export interface StoreStatus {
  path: string;
  /** The main file plus its -wal, in bytes. */
  sizeBytes: number;
  journalMode: string;
  schemaVersion: number;
  counts: { sessions: number; messages: number; jobs: Record<JobStatus, number> };
  /** "ok", or the first problem PRAGMA quick_check found. */
  quickCheck: string;
}

export function storeStatus(store: Store): StoreStatus {
  const { db } = store;
  return store.read(() => {
    const jobs = Object.fromEntries(JOB_STATUSES.map((s) => [s, 0])) as Record<JobStatus, number>;
    const rows = db
      .query(`SELECT ${SEEN_STATUS} AS status, count(*) AS n FROM jobs GROUP BY 1`)
      .all(store.now()) as {
      status: JobStatus;
      n: number;
    }[];
    for (const row of rows) jobs[row.status] = row.n;
    const check = db.query("PRAGMA quick_check(1)").get() as { quick_check: string };
    return {
      path: store.path,
      sizeBytes: fileSize(store.path) + fileSize(`${store.path}-wal`),
      journalMode: (db.query("PRAGMA journal_mode").get() as { journal_mode: string }).journal_mode,
      schemaVersion: schemaVersion(db),
      counts: { sessions: store.sessions.count(), messages: store.messages.count(), jobs },
      quickCheck: check.quick_check,
    };
  });
}

function fileSize(path: string): number {
  try {
    return statSync(path).size;
  } catch {
    return 0;
  }
}
