// A fourth contender: coffer's own connection (openDatabase: same PRAGMAs,
// same schema) and coffer's exact SQL — BEGIN IMMEDIATE, the expired-lease
// reclaim, the lease-checked ack — with no API above it. The gap between this
// and coffer is what the API layer costs; the gap to naive is what the
// contract (one IMMEDIATE transaction per write, reclaim on every claim) costs.

import { openDatabase } from "../../src/store/open.ts";
import type { Contender } from "./cycle.ts";

const QUEUE = "bench";
const LEASE_MS = 300_000;

export const bare: Contender = {
  name: "coffer's SQL, no API",
  open(path) {
    const db = openDatabase({ path });
    const begin = db.query("BEGIN IMMEDIATE");
    const commit = db.query("COMMIT");
    const insert = db.query(
      `INSERT INTO jobs (queue, payload, priority, max_attempts, dedupe_key, run_at, created_at, updated_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
    );
    const reclaim = db.query(
      `UPDATE jobs SET
         status = CASE WHEN attempts >= max_attempts THEN 'failed' ELSE 'pending' END,
         last_error = CASE WHEN attempts >= max_attempts
           THEN 'lease expired on attempt ' || attempts || ' of ' || max_attempts || ' (worker died?)'
           ELSE last_error END,
         locked_until = NULL, lease_token = NULL, updated_at = ?1
       WHERE queue = ?2 AND status = 'processing' AND locked_until <= ?1`,
    );
    const claim = db.query(
      `UPDATE jobs SET status = 'processing', attempts = attempts + 1, locked_until = ?1,
         lease_token = ?2, updated_at = ?3
       WHERE id = (SELECT id FROM jobs WHERE queue = ?4 AND status = 'pending' AND run_at <= ?3
                   ORDER BY priority DESC, id LIMIT 1)
       RETURNING *`,
    );
    const ack = db.query(
      `UPDATE jobs SET status = 'completed', locked_until = NULL, lease_token = NULL,
         updated_at = ?1
       WHERE id = ?2 AND status = 'processing' AND locked_until > ?1
         AND (?3 IS NULL OR lease_token = ?3)`,
    );
    return {
      cycle(i) {
        const now = Date.now();
        begin.run();
        insert.get(QUEUE, JSON.stringify({ task: "send", i }), 0, 3, null, now, now, now);
        commit.run();
        begin.run();
        reclaim.run(now, QUEUE);
        const job = claim.get(now + LEASE_MS, crypto.randomUUID(), now, QUEUE) as {
          id: number;
          lease_token: string;
        };
        commit.run();
        begin.run();
        ack.run(now, job.id, job.lease_token);
        commit.run();
      },
      db,
      close: () => db.close(false),
    };
  },
};
