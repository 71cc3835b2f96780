// Agent sessions on SQLite: create, get, list newest first, update state,
// delete (messages go with them through ON DELETE CASCADE). Rules: ./sessions/rules.ts.

import type { Store } from "../../store/store.ts";
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

export type { ListSessionsOptions, NewSession, Session } from "./rules.ts";

export class Sessions {
  constructor(private readonly store: Store) {}

  create(input: NewSession = {}): Session {
    const now = this.store.now();
    const a = checkNewSession(input);
    this.store.write(() => {
      if (this.store.db.query("SELECT 1 FROM sessions WHERE id = ?").get(a.id)) {
        throw sessionExists(a.id);
      }
      this.store.db
        .query(
          `INSERT INTO sessions (id, channel, user_id, state, metadata, created_at, updated_at)
           VALUES (?, ?, ?, ?, ?, ?, ?)`,
        )
        .run(a.id, a.channel, a.userId, a.state, a.metadata, now, now);
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

  /**
   * Newest first; `offset`/`limit` page through the list. Ties (one
   * millisecond) go by id in byte order, as on PostgreSQL (COLLATE "C"):
   * rowid order would differ between engines and change with a round trip.
   */
  list(options: ListSessionsOptions = {}): Session[] {
    const { state, limit, offset } = checkListSessions(options);
    const rows = this.store.read(() =>
      state === null
        ? this.store.db
            .query("SELECT * FROM sessions ORDER BY created_at DESC, id DESC LIMIT ? OFFSET ?")
            .all(limit, offset)
        : this.store.db
            .query(
              "SELECT * FROM sessions WHERE state = ? ORDER BY created_at DESC, id DESC LIMIT ? OFFSET ?",
            )
            .all(state, limit, offset),
    );
    return rows.map(toSession);
  }

  updateState(id: string, state: string): Session {
    checkState(state);
    const changed = this.store.write(
      () =>
        this.store.db
          .query("UPDATE sessions SET state = ?, updated_at = ? WHERE id = ?")
          .run(state, this.store.now(), id).changes,
    );
    if (changed === 0) throw noSession(id);
    return this.require(id);
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
}
