// Agents on SQLite: create, get, list, update, remove. Removing an agent
// removes its documents, sessions and messages by ON DELETE CASCADE.

import type { StoreCore } from "../../store/core.ts";
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

export type { Agent, AgentChanges, AgentRemoval, AgentStatus, NewAgent } from "./rules.ts";

export class Agents {
  constructor(private readonly store: StoreCore) {}

  create(input: NewAgent): Agent {
    const a = checkNewAgent(input);
    const now = this.store.now();
    const row = this.store.write(() =>
      this.store.db
        .query(
          `INSERT INTO agents (slug, name, description, status, metadata, created_at, updated_at)
           VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (slug) DO NOTHING RETURNING *`,
        )
        .get(a.slug, a.name, a.description, a.status, a.metadata, now, now),
    );
    if (!row) throw agentExists(a.slug);
    return toAgent(row);
  }

  get(slug: string): Agent | null {
    const row = this.store.read(() =>
      this.store.db.query("SELECT * FROM agents WHERE slug = ?").get(slug),
    );
    return row ? toAgent(row) : null;
  }

  /** Like get, but a missing agent is a NotFoundError (exit 3). */
  require(slug: string): Agent {
    const agent = this.get(checkSlug(slug));
    if (!agent) throw noAgent(slug);
    return agent;
  }

  /** Every agent (or those of one status), by slug. */
  list(options: { status?: string | undefined } = {}): Agent[] {
    const status = checkAgentFilter(options);
    const rows = this.store.read(() =>
      this.store.db
        .query("SELECT * FROM agents WHERE ?1 IS NULL OR status = ?1 ORDER BY slug")
        .all(status),
    );
    return rows.map(toAgent);
  }

  update(slug: string, changes: AgentChanges): Agent {
    const p = checkAgentChanges(changes);
    const row = this.store.write(() =>
      this.store.db
        .query(
          `UPDATE agents SET name = coalesce(?, name), description = coalesce(?, description),
             status = coalesce(?, status), metadata = CASE WHEN ? THEN ? ELSE metadata END,
             updated_at = ? WHERE slug = ? RETURNING *`,
        )
        .get(
          p.name ?? null,
          p.description ?? null,
          p.status ?? null,
          p.metadata ? 1 : 0,
          p.metadata?.text ?? null,
          this.store.now(),
          slug,
        ),
    );
    if (!row) throw noAgent(slug);
    return toAgent(row);
  }

  /**
   * Removes the agent with its documents, sessions and messages, in one
   * transaction (joining the caller's). Secrets left in its scope refuse it
   * (AuthError): removeAgent(client, slug, { vault }) takes them in the same transaction.
   */
  remove(slug: string): AgentRemoval {
    checkSlug(slug);
    return this.store.write(() => {
      const db = this.store.db;
      const { n } = db
        .query("SELECT count(*) AS n FROM vault_entries WHERE scope = ?")
        .get(slug) as {
        n: number;
      };
      if (n > 0 && db.query("SELECT 1 FROM agents WHERE slug = ?").get(slug)) {
        throw agentHasSecrets(slug, n);
      }
      const counts = db
        .query(
          `SELECT (SELECT count(*) FROM sessions WHERE agent = ?1) AS sessions,
             (SELECT count(*) FROM messages m JOIN sessions s ON s.id = m.session_id
               WHERE s.agent = ?1) AS messages,
             (SELECT count(*) FROM documents WHERE agent = ?1) AS documents`,
        )
        .get(slug) as { sessions: number; messages: number; documents: number };
      if (db.query("DELETE FROM agents WHERE slug = ?").run(slug).changes === 0) {
        throw noAgent(slug);
      }
      return counts;
    });
  }
}
