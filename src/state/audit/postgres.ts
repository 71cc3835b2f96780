// The audit trail's SQL on PostgreSQL: an append locks the table for its
// transaction so that two hosts cannot both extend the same link; time is now_ms().

import {
  inPgTransaction,
  type PgHandle,
  runPg,
  withNumbers,
} from "../../engines/postgres/handle.ts";
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

const BIGINTS = ["id", "at", "version", "now"] as const;

function pgRow(row: Record<string, unknown>): AuditRow {
  return toAuditRow(withNumbers(row, BIGINTS));
}

export class PgAudit {
  constructor(private readonly db: PgHandle) {}

  append(entry: AuditEntry): Promise<AuditRow> {
    const e = checkEntry(entry);
    return inPgTransaction(this.db, async ({ sql }) => {
      await sql`LOCK TABLE audit IN EXCLUSIVE MODE`;
      const [last] =
        await sql`SELECT id, hash, now_ms() AS now FROM audit ORDER BY id DESC LIMIT 1`;
      const [clock] = last ? [last] : await sql`SELECT now_ms() AS now`;
      const row = nextRow(
        last ? { id: Number(last.id), hash: String(last.hash) } : null,
        e,
        Number(clock.now),
      );
      await sql`INSERT INTO audit (id, at, actor, action, scope, name, version, outcome, prev_hash, hash)
        VALUES (${row.id}, ${row.at}, ${row.actor}, ${row.action}, ${row.scope}, ${row.name},
                ${row.version}, ${row.outcome}, ${row.prevHash}, ${row.hash})`;
      return row;
    });
  }

  list(options: AuditListOptions = {}): Promise<AuditRow[]> {
    const limit = pageSize(options.limit, 100);
    return runPg(this.db, async (sql) => {
      const rows = await sql`SELECT * FROM (SELECT * FROM audit WHERE at >= ${options.since ?? 0}
        ORDER BY id DESC LIMIT ${limit}) newest ORDER BY id`;
      return (rows as Record<string, unknown>[]).map(pgRow);
    });
  }

  verify(): Promise<ChainCheck> {
    return runPg(this.db, async (sql) => {
      const rows = (await sql`SELECT * FROM audit ORDER BY id`) as Record<string, unknown>[];
      return verifyChain(rows.map(pgRow));
    });
  }
}
