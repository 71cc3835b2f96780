// Messages' SQL on PostgreSQL, with the rules of ./rules.ts (checks and
// redaction before storage); time is the server's (now_ms()).

import { type PgHandle, runPg, withNumbers } from "../../engines/postgres/handle.ts";
import { redactTokens } from "../../redact.ts";
import { noSession } from "../sessions/rules.ts";
import {
  checkLastCount,
  checkMessagePage,
  checkNewMessage,
  type Message,
  type NewMessage,
  toMessage,
} from "./rules.ts";

const BIGINTS = ["id", "token_count", "created_at"] as const;

/** A messages row as Bun.sql returns it, as the shared Message. */
export function pgMessage(row: Record<string, unknown>): Message {
  return toMessage(withNumbers(row, BIGINTS));
}

export interface PgMessagesOptions {
  /** Masks secrets before storage (the Store's redact on SQLite); default: token patterns only. */
  redact?: (text: string) => string;
}

export class PgMessages {
  private readonly redact: (text: string) => string;

  constructor(
    private readonly db: PgHandle,
    options: PgMessagesOptions = {},
  ) {
    this.redact = options.redact ?? redactTokens;
  }

  async append(sessionId: string, input: NewMessage): Promise<Message> {
    const a = checkNewMessage(input, this.redact);
    return runPg(this.db, async (sql) => {
      // One statement: no session, no row. The foreign key locks the session against a racing delete.
      const [row] = await sql`INSERT INTO messages
          (session_id, role, content, token_count, metadata, created_at)
        SELECT id, ${a.role}, ${a.content}, ${a.tokenCount}, ${a.metadata}, now_ms()
        FROM sessions WHERE id = ${sessionId} RETURNING *`;
      if (!row) throw noSession(sessionId);
      return pgMessage(row);
    });
  }

  /** All messages of the session, oldest first (a page with `limit`/`offset`). */
  async list(sessionId: string, options: { limit?: number; offset?: number } = {}) {
    const { limit, offset } = checkMessagePage(options);
    return runPg(this.db, async (sql): Promise<Message[]> => {
      // LIMIT NULL is LIMIT ALL.
      const rows = await sql`SELECT * FROM messages WHERE session_id = ${sessionId}
        ORDER BY id LIMIT ${limit}::bigint OFFSET ${offset}`;
      return rows.map(pgMessage);
    });
  }

  /** The last `n` messages, oldest first. */
  async last(sessionId: string, n: number): Promise<Message[]> {
    const limit = checkLastCount(n);
    return runPg(this.db, async (sql) => {
      const rows = await sql`SELECT * FROM (SELECT * FROM messages WHERE session_id = ${sessionId}
        ORDER BY id DESC LIMIT ${limit}) AS tail ORDER BY id`;
      return rows.map(pgMessage);
    });
  }

  count(sessionId?: string): Promise<number> {
    const only = sessionId ?? null;
    return runPg(this.db, async (sql) => {
      const [row] = await sql`SELECT count(*)::int AS n FROM messages
        WHERE ${only}::text IS NULL OR session_id = ${only}`;
      return row.n as number;
    });
  }
}
