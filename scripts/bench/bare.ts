// A fourth contender: coffer's own connection (openDatabase: same PRAGMAs,
// same schema) and coffer's exact SQL — BEGIN IMMEDIATE, the expired-lease
// reclaim, the lease-checked ack — with no API above it. The gap between this
// and coffer is what the API layer costs; the gap to naive is what the
// contract (one IMMEDIATE transaction per write, reclaim on every claim) costs.

import {
  ACK_HELD,
  CLAIM_NEXT,
  INSERT_JOB,
  RECLAIM_EXPIRED,
} from "../../src/state/queue/sqlite-sql.ts";
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
    const insert = db.query(INSERT_JOB);
    const reclaim = db.query(RECLAIM_EXPIRED);
    const claim = db.query(CLAIM_NEXT);
    const ack = db.query(ACK_HELD);
    return {
      cycle(i) {
        const now = Date.now();
        begin.run();
        insert.get(QUEUE, JSON.stringify({ task: "send", i }), 0, 3, null, now, now, now);
        commit.run();
        begin.run();
        reclaim.run(now, QUEUE);
        const job = claim.get(now + LEASE_MS, now, QUEUE) as {
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
