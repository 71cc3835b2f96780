// Agents' SQL on PostgreSQL, with the rules of ./rules.ts; time is the
// server's (now_ms()). Removal cascades as on SQLite.

import {
  inPgTransaction,
  type PgHandle,
  runPg,
  withNumbers,
} from "../../engines/postgres/handle.ts";
import {
  type Agent,
  type AgentChanges,
  type AgentRemoval,
  agentExists,
  agentHasSecrets,
  checkAgentChanges,
  checkAgentFilter,
  checkNewAgent,
  checkSlug,
  type NewAgent,
  noAgent,
  toAgent,
} from "./rules.ts";

const TIMES = ["created_at", "updated_at", "last_active_at"] as const;

export function pgAgent(row: Record<string, unknown>): Agent {
  return toAgent(withNumbers(row, TIMES));
}

export class PgAgents {
  constructor(private readonly db: PgHandle) {}

  async create(input: NewAgent): Promise<Agent> {
    const a = checkNewAgent(input);
    return runPg(this.db, async (sql) => {
      const [row] = await sql`INSERT INTO agents
          (slug, name, description, status, metadata, created_at, updated_at)
        VALUES (${a.slug}, ${a.name}, ${a.description}, ${a.status}, ${a.metadata}, now_ms(), now_ms())
        ON CONFLICT (slug) DO NOTHING RETURNING *`;
      if (!row) throw agentExists(a.slug);
      return pgAgent(row);
    });
  }

  get(slug: string): Promise<Agent | null> {
    return runPg(this.db, async (sql) => {
      const [row] = await sql`SELECT * FROM agents WHERE slug = ${slug}`;
      return row ? pgAgent(row) : null;
    });
  }

  async require(slug: string): Promise<Agent> {
    const agent = await this.get(checkSlug(slug));
    if (!agent) throw noAgent(slug);
    return agent;
  }

  async list(options: { status?: string | undefined } = {}): Promise<Agent[]> {
    const status = checkAgentFilter(options);
    return runPg(this.db, async (sql) => {
      const rows = await sql`SELECT * FROM agents
        WHERE ${status}::text IS NULL OR status = ${status} ORDER BY slug COLLATE "C"`;
      return rows.map(pgAgent);
    });
  }

  async update(slug: string, changes: AgentChanges): Promise<Agent> {
    const p = checkAgentChanges(changes);
    const setMeta = p.metadata !== undefined;
    const meta = p.metadata?.text ?? null;
    return runPg(this.db, async (sql) => {
      const [row] = await sql`UPDATE agents SET
          name = coalesce(${p.name ?? null}, name),
          description = coalesce(${p.description ?? null}, description),
          status = coalesce(${p.status ?? null}, status),
          metadata = CASE WHEN ${setMeta} THEN ${meta}::text ELSE metadata END,
          updated_at = now_ms()
        WHERE slug = ${slug} RETURNING *`;
      if (!row) throw noAgent(slug);
      return pgAgent(row);
    });
  }

  /** As on SQLite: secrets left in the scope refuse it (AuthError). */
  async remove(slug: string): Promise<AgentRemoval> {
    checkSlug(slug);
    return inPgTransaction(this.db, (tx) =>
      runPg(tx, async (sql) => {
        // The row lock first: a racing put or session insert waits for the removal.
        const [agent] = await sql`SELECT slug FROM agents WHERE slug = ${slug} FOR UPDATE`;
        if (!agent) throw noAgent(slug);
        const [secrets] =
          await sql`SELECT count(*)::int AS n FROM vault_entries WHERE scope = ${slug}`;
        if (secrets.n > 0) throw agentHasSecrets(slug, secrets.n);
        const [row] = await sql`SELECT
            (SELECT count(*)::int FROM sessions WHERE agent = ${slug}) AS sessions,
            (SELECT count(*)::int FROM messages m JOIN sessions s ON s.id = m.session_id
              WHERE s.agent = ${slug}) AS messages,
            (SELECT count(*)::int FROM documents WHERE agent = ${slug}) AS documents`;
        await sql`DELETE FROM agents WHERE slug = ${slug}`;
        return { sessions: row.sessions, messages: row.messages, documents: row.documents };
      }),
    );
  }
}
