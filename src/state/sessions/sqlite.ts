// Agent sessions on SQLite: create, get, list (filters, keyset pages), update,
// delete (messages go with them through ON DELETE CASCADE). Fork, prune,
// export and import: ./sqlite-copy.ts. Rules: ./rules.ts and ./listing.ts.

import type { StoreCore } from "../../store/core.ts";
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
import { exportSession, forkSession, importSession, pruneSessions } from "./sqlite-copy.ts";

export type { ListSessionsOptions, PruneOptions, PruneResult, SessionPage } from "./listing.ts";
export type { NewSession, Session, SessionChanges } from "./rules.ts";

export class Sessions {
  constructor(private readonly store: StoreCore) {}

  create(input: NewSession = {}): Session {
    const now = this.store.now();
    const a = checkNewSession(input);
    const db = this.store.db;
    this.store.write(() => {
      if (db.query("SELECT 1 FROM sessions WHERE id = ?").get(a.id)) throw sessionExists(a.id);
      if (a.agent !== null && !db.query("SELECT 1 FROM agents WHERE slug = ?").get(a.agent)) {
        throw noAgent(a.agent);
      }
      db.query(
        `INSERT INTO sessions (id, channel, user_id, state, metadata, created_at, updated_at,
           agent, expires_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      ).run(
        a.id,
        a.channel,
        a.userId,
        a.state,
        a.metadata,
        now,
        now,
        a.agent,
        expiry(now, a.ttlMs),
      );
    });
    return this.require(a.id);
  }

  get(id: string): Session | null {
    const row = this.store.read(() =>
      this.store.db.query("SELECT * FROM sessions WHERE id = ?").get(id),
    );
    return row ? toSession(row) : null;
  }

  /** Like get, but a missing session is a NotFoundError (exit 3). */
  require(id: string): Session {
    const session = this.get(id);
    if (!session) throw noSession(id);
    return session;
  }

  /** Newest first (created_at, then id), filtered; a page of `limit` after the cursor `after`. */
  list(options: ListSessionsOptions = {}): Session[] {
    const q = checkListSessions(options);
    return this.select(q, q.limit);
  }

  /** As list, with the cursor of the next page (null on the last). */
  page(options: ListSessionsOptions = {}): SessionPage {
    const q = checkListSessions(options);
    return toPage(this.select(q, q.limit + 1), q.limit);
  }

  updateState(id: string, state: string): Session {
    checkState(state);
    return this.update(id, { state });
  }

  /** Changes state, metadata (null clears) or the TTL (from now; null clears). */
  update(id: string, changes: SessionChanges): Session {
    const p = checkSessionChanges(changes);
    const now = this.store.now();
    const row = this.store.write(() =>
      this.store.db
        .query(
          `UPDATE sessions SET state = coalesce(?, state),
             metadata = CASE WHEN ? THEN ? ELSE metadata END,
             expires_at = CASE WHEN ? THEN ? ELSE expires_at END, updated_at = ?
           WHERE id = ? RETURNING *`,
        )
        .get(
          p.state ?? null,
          p.metadata ? 1 : 0,
          p.metadata?.text ?? null,
          p.ttl ? 1 : 0,
          p.ttl ? expiry(now, p.ttl.ms) : null,
          now,
          id,
        ),
    );
    if (!row) throw noSession(id);
    return toSession(row);
  }

  /** Deletes the session and its messages; a missing session is a NotFoundError. */
  delete(id: string): void {
    const changed = this.store.write(
      () => this.store.db.query("DELETE FROM sessions WHERE id = ?").run(id).changes,
    );
    if (changed === 0) throw noSession(id);
  }

  count(state?: string): number {
    const row = this.store.read(() =>
      state === undefined
        ? this.store.db.query("SELECT count(*) AS n FROM sessions").get()
        : this.store.db.query("SELECT count(*) AS n FROM sessions WHERE state = ?").get(state),
    ) as { n: number };
    return row.n;
  }

  /** A copy of the session and its messages up to `at` (default: all), in one transaction. */
  fork(id: string, options: { at?: number | undefined } = {}): Session {
    return this.require(forkSession(this.store, id, options.at));
  }

  prune(options: PruneOptions): PruneResult {
    return pruneSessions(this.store, options);
  }

  /** JSON Lines: the session, then each message in order (with its revisions). */
  export(id: string): string {
    return exportSession(this.store, id);
  }

  /** A `export` text back as a new session (new ids); returns it. */
  import(text: string): Session {
    return this.require(importSession(this.store, text));
  }

  private select(q: SessionQuery, limit: number): Session[] {
    const conds: string[] = [];
    const params: (string | number)[] = [];
    if (q.agent !== null) {
      conds.push("agent = ?");
      params.push(q.agent);
    }
    if (q.state !== null) {
      conds.push("state = ?");
      params.push(q.state);
    }
    for (const w of q.where) {
      conds.push("(metadata -> ?) IN (?, ?)");
      params.push(`$."${w.key}"`, ...w.texts);
    }
    if (q.after) {
      conds.push("(created_at, id) < (?, ?)");
      params.push(q.after.createdAt, q.after.id);
    }
    const where = conds.length > 0 ? `WHERE ${conds.join(" AND ")}` : "";
    const sql = `SELECT * FROM sessions ${where} ORDER BY created_at DESC, id DESC LIMIT ? OFFSET ?`;
    const rows = this.store.read(() => this.store.db.query(sql).all(...params, limit, q.offset));
    return rows.map(toSession);
  }
}

export function expiry(now: number, ttlMs: number | null): number | null {
  return ttlMs === null ? null : now + ttlMs;
}
