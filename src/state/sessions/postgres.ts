// Agent sessions' SQL on PostgreSQL, with the rules of ./rules.ts and
// ./listing.ts; time is the server's (now_ms()). Messages go with a session by
// ON DELETE CASCADE. Fork, prune, export and import: ./postgres-copy.ts.

import { type PgHandle, runPg, withNumbers } from "../../engines/postgres/handle.ts";
import { redactTokens } from "../../redact.ts";
import { noAgent } from "../agents/rules.ts";
import {
  checkListSessions,
  type ListSessionsOptions,
  type PruneOptions,
  type PruneResult,
  type SessionPage,
  type SessionQuery,
  toPage,
} from "./listing.ts";
import {
  pgExportSession,
  pgForkSession,
  pgImportSession,
  pgPruneSessions,
} from "./postgres-copy.ts";
import {
  checkNewSession,
  checkSessionChanges,
  checkState,
  type NewSession,
  noSession,
  type Session,
  type SessionChanges,
  sessionExists,
  toSession,
} from "./rules.ts";

const NUMBERS = ["created_at", "updated_at", "forked_at", "expires_at", "last_message_at"] as const;

/** A sessions row as Bun.sql returns it, as the shared Session. */
export function pgSession(row: Record<string, unknown>): Session {
  return toSession(withNumbers(row, NUMBERS));
}

export class PgSessions {
  private readonly redact: (text: string) => string;

  constructor(
    private readonly db: PgHandle,
    options: { redact?: ((text: string) => string) | undefined } = {},
  ) {
    this.redact = options.redact ?? redactTokens;
  }

  async create(input: NewSession = {}): Promise<Session> {
    const a = checkNewSession(input);
    return runPg(this.db, async (sql) => {
      if (a.agent !== null) {
        const [known] = await sql`SELECT 1 FROM agents WHERE slug = ${a.agent}`;
        if (!known) throw noAgent(a.agent);
      }
      // ON CONFLICT rather than a check first: two hosts creating one id race otherwise.
      const [row] = await sql`INSERT INTO sessions
          (id, channel, user_id, state, metadata, created_at, updated_at, agent, expires_at)
        VALUES (${a.id}, ${a.channel}, ${a.userId}, ${a.state}, ${a.metadata}, now_ms(), now_ms(),
          ${a.agent}, now_ms() + ${a.ttlMs}::bigint)
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

  /** Newest first; ties in one millisecond by id, byte-wise (COLLATE "C"), as on SQLite. */
  async list(options: ListSessionsOptions = {}): Promise<Session[]> {
    const q = checkListSessions(options);
    return this.select(q, q.limit);
  }

  async page(options: ListSessionsOptions = {}): Promise<SessionPage> {
    const q = checkListSessions(options);
    return toPage(await this.select(q, q.limit + 1), q.limit);
  }

  async updateState(id: string, state: string): Promise<Session> {
    checkState(state);
    return this.update(id, { state });
  }

  async update(id: string, changes: SessionChanges): Promise<Session> {
    const p = checkSessionChanges(changes);
    const setMeta = p.metadata !== undefined;
    const setTtl = p.ttl !== undefined;
    return runPg(this.db, async (sql) => {
      const [row] = await sql`UPDATE sessions SET state = coalesce(${p.state ?? null}, state),
          metadata = CASE WHEN ${setMeta} THEN ${p.metadata?.text ?? null}::text ELSE metadata END,
          expires_at = CASE WHEN ${setTtl} THEN now_ms() + ${p.ttl?.ms ?? null}::bigint
            ELSE expires_at END,
          updated_at = now_ms()
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

  async fork(id: string, options: { at?: number | undefined } = {}): Promise<Session> {
    return this.require(await pgForkSession(this.db, id, options.at));
  }

  prune(options: PruneOptions): Promise<PruneResult> {
    return pgPruneSessions(this.db, options);
  }

  export(id: string): Promise<string> {
    return pgExportSession(this.db, id);
  }

  async import(text: string): Promise<Session> {
    return this.require(await pgImportSession(this.db, text, this.redact));
  }

  private select(q: SessionQuery, limit: number): Promise<Session[]> {
    const conds: string[] = [];
    const params: unknown[] = [];
    const p = (value: unknown) => {
      params.push(value);
      return `$${params.length}`;
    };
    if (q.agent !== null) conds.push(`agent = ${p(q.agent)}`);
    if (q.state !== null) conds.push(`state = ${p(q.state)}`);
    for (const w of q.where) {
      conds.push(
        `(metadata::json -> ${p(w.key)}::text)::text IN (${p(w.texts[0])}, ${p(w.texts[1])})`,
      );
    }
    if (q.after) {
      conds.push(
        `(created_at, id COLLATE "C") < (${p(q.after.createdAt)}::bigint, ${p(q.after.id)}::text COLLATE "C")`,
      );
    }
    const where = conds.length > 0 ? `WHERE ${conds.join(" AND ")}` : "";
    const text = `SELECT * FROM sessions ${where} ORDER BY created_at DESC, id COLLATE "C" DESC
      LIMIT ${p(limit)} OFFSET ${p(q.offset)}`;
    return runPg(this.db, async (sql) => (await sql.unsafe(text, params)).map(pgSession));
  }
}
