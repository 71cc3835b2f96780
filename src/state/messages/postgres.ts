// Messages' SQL on PostgreSQL, with the rules of ./rules.ts (checks and
// redaction before storage); time is the server's (now_ms()). Each append also
// marks the session's and its agent's last activity, in the same statement.
// Edits, pops and search: ./postgres-edit.ts.

import { type PgHandle, runPg, withNumbers } from "../../engines/postgres/handle.ts";
import { redactTokens } from "../../redact.ts";
import { noSession } from "../sessions/rules.ts";
import { pgEditMessage, pgPopMessage, pgRemoveMessage, pgSearchMessages } from "./postgres-edit.ts";
import {
  checkLastCount,
  checkMessagePage,
  checkNewMessage,
  type Message,
  type MessagePage,
  type NewMessage,
  noMessageIn,
  type Revision,
  toMessage,
  toRevision,
} from "./rules.ts";
import type { SearchHit, SearchOptions } from "./search.ts";

const BIGINTS = ["id", "token_count", "created_at", "edited_at"] as const;

/** A messages row as Bun.sql returns it, as the shared Message. */
export function pgMessage(row: Record<string, unknown>): Message {
  return toMessage(withNumbers(row, BIGINTS));
}

export interface PgMessagesOptions {
  /** Masks secrets before storage (the Store's redact on SQLite); default: token patterns only. */
  redact?: ((text: string) => string) | undefined;
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
      // One statement: no session, no row. The UPDATE locks the session against a racing delete.
      const [row] = await sql`WITH s AS (UPDATE sessions SET last_message_at = now_ms()
            WHERE id = ${sessionId} RETURNING id, agent),
          a AS (UPDATE agents SET last_active_at = now_ms() WHERE slug = (SELECT agent FROM s))
        INSERT INTO messages (session_id, role, content, token_count, metadata, created_at)
        SELECT id, ${a.role}, ${a.content}, ${a.tokenCount}, ${a.metadata}, now_ms()
        FROM s RETURNING *`;
      if (!row) throw noSession(sessionId);
      return pgMessage(row);
    });
  }

  /** Messages of the session, oldest first: all, those after id `after`, a page with `limit`/`offset`. */
  async list(sessionId: string, options: MessagePage = {}): Promise<Message[]> {
    const { limit, offset, after } = checkMessagePage(options);
    return runPg(this.db, async (sql) => {
      // LIMIT NULL is LIMIT ALL.
      const rows =
        await sql`SELECT * FROM messages WHERE session_id = ${sessionId} AND id > ${after}
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

  async get(sessionId: string, id: number): Promise<Message> {
    const [row] = await runPg(
      this.db,
      (sql) => sql`SELECT * FROM messages WHERE id = ${id} AND session_id = ${sessionId}`,
    );
    if (!row) throw noMessageIn(sessionId, id);
    return pgMessage(row);
  }

  async revisions(sessionId: string, id: number): Promise<Revision[]> {
    await this.get(sessionId, id);
    const rows = await runPg(
      this.db,
      (sql) => sql`SELECT * FROM message_revisions WHERE message_id = ${id} ORDER BY revision`,
    );
    return rows.map((r: Record<string, unknown>) =>
      toRevision(withNumbers(r, ["message_id", "created_at"])),
    );
  }

  edit(sessionId: string, id: number, content: string): Promise<Message> {
    return pgEditMessage(this.db, sessionId, id, content, this.redact);
  }

  remove(sessionId: string, id: number): Promise<void> {
    return pgRemoveMessage(this.db, sessionId, id);
  }

  pop(sessionId: string): Promise<Message> {
    return pgPopMessage(this.db, sessionId);
  }

  search(query: string, options: SearchOptions = {}): Promise<SearchHit[]> {
    return pgSearchMessages(this.db, query, options);
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
