// The audit trail on SQLite: append (read the last link and insert in one
// write transaction), list, verify. Rules and the chain: ./rules.ts.

import type { StoreCore } from "../../store/core.ts";
import { pageSize } from "../validate.ts";
import {
  type AuditEntry,
  type AuditListOptions,
  type AuditRow,
  type ChainCheck,
  checkEntry,
  nextRow,
  toAuditRow,
  verifyChain,
} from "./rules.ts";

export type { AuditEntry, AuditRow, ChainCheck } from "./rules.ts";

export class Audit {
  constructor(private readonly store: StoreCore) {}

  append(entry: AuditEntry): AuditRow {
    const e = checkEntry(entry);
    return this.store.write(() => {
      const db = this.store.db;
      const last = db.query("SELECT id, hash FROM audit ORDER BY id DESC LIMIT 1").get() as {
        id: number;
        hash: string;
      } | null;
      const row = nextRow(last, e, this.store.now());
      db.query(
        `INSERT INTO audit (id, at, actor, action, scope, name, version, outcome, prev_hash, hash)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      ).run(
        row.id,
        row.at,
        row.actor,
        row.action,
        row.scope,
        row.name,
        row.version,
        row.outcome,
        row.prevHash,
        row.hash,
      );
      return row;
    });
  }

  /** The newest rows (at most `limit`), oldest first. */
  list(options: AuditListOptions = {}): AuditRow[] {
    const limit = pageSize(options.limit, 100);
    const rows = this.store.read(() =>
      this.store.db
        .query(
          "SELECT * FROM (SELECT * FROM audit WHERE at >= ? ORDER BY id DESC LIMIT ?) ORDER BY id",
        )
        .all(options.since ?? 0, limit),
    );
    return rows.map(toAuditRow);
  }

  verify(): ChainCheck {
    return this.store.read(() => {
      const rows = this.store.db.query("SELECT * FROM audit ORDER BY id").iterate();
      return verifyChain(
        (function* () {
          for (const r of rows) yield toAuditRow(r);
        })(),
      );
    });
  }
}
