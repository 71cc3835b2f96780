// Agent sessions' SQL on PostgreSQL, with the rules of ./rules.ts; time is
// the server's (now_ms()). Messages go with a session by ON DELETE CASCADE.

import { type PgHandle, runPg, withNumbers } from "../../engines/postgres/handle.ts";
import {
  checkListSessions,
  checkNewSession,
  checkState,
  type ListSessionsOptions,
  type NewSession,
  noSession,
  type Session,
  sessionExists,
  toSession,
} from "./rules.ts";

const TIMES = ["created_at", "updated_at"] as const;

/** A sessions row as Bun.sql returns it, as the shared Session. */
export function pgSession(row: Record<string, unknown>): Session {
  return toSession(withNumbers(row, TIMES));
}

export class PgSessions {
  constructor(private readonly db: PgHandle) {}

  async create(input: NewSession = {}): Promise<Session> {
    const a = checkNewSession(input);
    return runPg(this.db, async (sql) => {
      // ON CONFLICT rather than a check first: two hosts creating one id race otherwise.
      const [row] = await sql`INSERT INTO sessions
          (id, channel, user_id, state, metadata, created_at, updated_at)
        VALUES (${a.id}, ${a.channel}, ${a.userId}, ${a.state}, ${a.metadata}, now_ms(), now_ms())
        ON CONFLICT (id) DO NOTHING RETURNING *`;
      if (!row) throw sessionExists(a.id);
      return pgSession(row);
    });
  }

  get(id: string): Promise<Session | null> {
    return runPg(this.db, async (sql) => {
      const [row] = await sql`SELECT * FROM sessions WHERE id = ${id}`;
      return row ? pgSession(row) : null;
    });
  }

  /** Like get, but a missing session is a NotFoundError (exit 3). */
  async require(id: string): Promise<Session> {
    const session = await this.get(id);
    if (!session) throw noSession(id);
    return session;
  }

  /**
   * Newest first; `offset`/`limit` page through the list. Ties in the same
   * millisecond go by id, descending, in byte order (COLLATE "C", not the
   * database's locale), as on SQLite.
   */
  async list(options: ListSessionsOptions = {}): Promise<Session[]> {
    const { state, limit, offset } = checkListSessions(options);
    return runPg(this.db, async (sql) => {
      const rows = await sql`SELECT * FROM sessions
        WHERE ${state}::text IS NULL OR state = ${state}
        ORDER BY created_at DESC, id COLLATE "C" DESC LIMIT ${limit} OFFSET ${offset}`;
      return rows.map(pgSession);
    });
  }

  async updateState(id: string, state: string): Promise<Session> {
    checkState(state);
    return runPg(this.db, async (sql) => {
      const [row] = await sql`UPDATE sessions SET state = ${state}, updated_at = now_ms()
        WHERE id = ${id} RETURNING *`;
      if (!row) throw noSession(id);
      return pgSession(row);
    });
  }

  /** Deletes the session and its messages; a missing session is a NotFoundError. */
  delete(id: string): Promise<void> {
    return runPg(this.db, async (sql) => {
      const r = await sql`DELETE FROM sessions WHERE id = ${id}`;
      if (r.count === 0) throw noSession(id);
    });
  }

  count(state?: string): Promise<number> {
    const only = state ?? null;
    return runPg(this.db, async (sql) => {
      const [row] = await sql`SELECT count(*)::int AS n FROM sessions
        WHERE ${only}::text IS NULL OR state = ${only}`;
      return row.n as number;
    });
  }
}
