// A read-only report on an open store, for `coffer status` and library users.

import { statSync } from "node:fs";
import { IntegrityError } from "../errors.ts";
import { JOB_STATUSES, type JobStatus } from "../state/queue/sqlite.ts";
import { SEEN_STATUS } from "../state/queue/sqlite-sql.ts";
import { schemaVersion } from "./migrate.ts";
import { isSqliteError } from "./sqlite-errors.ts";
import type { Store } from "./store.ts";

export interface StoreStatus {
  path: string;
  /** The main file plus its -wal, in bytes. */
  sizeBytes: number;
  journalMode: string;
  schemaVersion: number;
  /** Null when the store failed its quick check and the counts could not be read. */
  counts: StoreCounts | null;
  /** "ok", or the first problem PRAGMA quick_check found. */
  quickCheck: string;
}

/** The same on both engines: agents, documents (by agent and name, and every version), sessions, messages, jobs. */
export interface StoreCounts {
  agents: number;
  documents: number;
  documentVersions: number;
  sessions: number;
  messages: number;
  jobs: Record<JobStatus, number>;
}

export function storeStatus(store: Store): StoreStatus {
  const { db } = store;
  return store.read(() => {
    const check = db.query("PRAGMA quick_check(1)").get() as { quick_check: string };
    let counts: StoreCounts | null;
    try {
      counts = countRows(store);
    } catch (err) {
      // A damaged page under the counts: the report still says what the check found.
      if (check.quick_check === "ok" || !(isSqliteError(err) || err instanceof IntegrityError)) {
        throw err;
      }
      counts = null;
    }
    return {
      path: store.path,
      sizeBytes: fileSize(store.path) + fileSize(`${store.path}-wal`),
      journalMode: (db.query("PRAGMA journal_mode").get() as { journal_mode: string }).journal_mode,
      schemaVersion: schemaVersion(db),
      counts,
      quickCheck: check.quick_check,
    };
  });
}

function countRows(store: Store): StoreCounts {
  const { db } = store;
  const jobs = Object.fromEntries(JOB_STATUSES.map((s) => [s, 0])) as Record<JobStatus, number>;
  const rows = db
    .query(`SELECT ${SEEN_STATUS} AS status, count(*) AS n FROM jobs GROUP BY 1`)
    .all(store.now()) as {
    status: JobStatus;
    n: number;
  }[];
  for (const row of rows) jobs[row.status] = row.n;
  const agents = db
    .query(
      `SELECT (SELECT count(*) FROM agents) AS agents,
           (SELECT count(*) FROM (SELECT DISTINCT agent, name FROM documents)) AS documents,
           (SELECT count(*) FROM documents) AS versions`,
    )
    .get() as { agents: number; documents: number; versions: number };
  return {
    agents: agents.agents,
    documents: agents.documents,
    documentVersions: agents.versions,
    sessions: store.sessions.count(),
    messages: store.messages.count(),
    jobs,
  };
}

function fileSize(path: string): number {
  try {
    return statSync(path).size;
  } catch {
    return 0;
  }
}
