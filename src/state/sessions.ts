// Agent sessions: create, get, list newest first, update state, delete
// (messages go with them through ON DELETE CASCADE).

import * as v from "valibot";
import { NotFoundError, UsageError } from "../errors.ts";
import type { Store } from "../store/store.ts";
import { type Json, parseJsonText, toJsonText } from "./json.ts";
import { checkText, pageSize } from "./validate.ts";

export interface Session {
  id: string;
  channel: string;
  userId: string | null;
  state: string;
  metadata: Json | null;
  createdAt: number;
  updatedAt: number;
}

export interface NewSession {
  id?: string;
  channel?: string;
  userId?: string | null;
  state?: string;
  metadata?: Json | null;
}

export interface ListSessionsOptions {
  state?: string | undefined;
  limit?: number | undefined;
  offset?: number | undefined;
}

const SessionRow = v.object({
  id: v.string(),
  channel: v.string(),
  user_id: v.nullable(v.string()),
  state: v.string(),
  metadata: v.nullable(v.string()),
  created_at: v.number(),
  updated_at: v.number(),
});

function toSession(row: unknown): Session {
  const r = v.parse(SessionRow, row);
  return {
    id: r.id,
    channel: r.channel,
    userId: r.user_id,
    state: r.state,
    metadata: parseJsonText(r.metadata),
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  };
}

export class Sessions {
  constructor(private readonly store: Store) {}

  create(input: NewSession = {}): Session {
    const now = this.store.now();
    const id = input.id ?? crypto.randomUUID();
    checkText(id, "session id");
    const metadata = input.metadata == null ? null : toJsonText(input.metadata, "session metadata");
    this.store.write(() => {
      if (this.store.db.query("SELECT 1 FROM sessions WHERE id = ?").get(id)) {
        throw new UsageError(`session ${id} already exists`);
      }
      this.store.db
        .query(
          `INSERT INTO sessions (id, channel, user_id, state, metadata, created_at, updated_at)
           VALUES (?, ?, ?, ?, ?, ?, ?)`,
        )
        .run(
          id,
          input.channel ?? "unknown",
          input.userId ?? null,
          input.state ?? "active",
          metadata,
          now,
          now,
        );
    });
    return this.require(id);
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
    if (!session) throw new NotFoundError(`no session ${id}`);
    return session;
  }

  /** Newest first; `offset`/`limit` page through the list. */
  list(options: ListSessionsOptions = {}): Session[] {
    const limit = pageSize(options.limit);
    const offset = Math.max(0, Math.trunc(options.offset ?? 0));
    const rows = this.store.read(() =>
      options.state === undefined
        ? this.store.db
            .query("SELECT * FROM sessions ORDER BY created_at DESC, rowid DESC LIMIT ? OFFSET ?")
            .all(limit, offset)
        : this.store.db
            .query(
              "SELECT * FROM sessions WHERE state = ? ORDER BY created_at DESC, rowid DESC LIMIT ? OFFSET ?",
            )
            .all(options.state, limit, offset),
    );
    return rows.map(toSession);
  }

  updateState(id: string, state: string): Session {
    checkText(state, "session state");
    const changed = this.store.write(
      () =>
        this.store.db
          .query("UPDATE sessions SET state = ?, updated_at = ? WHERE id = ?")
          .run(state, this.store.now(), id).changes,
    );
    if (changed === 0) throw new NotFoundError(`no session ${id}`);
    return this.require(id);
  }

  /** Deletes the session and its messages; a missing session is a NotFoundError. */
  delete(id: string): void {
    const changed = this.store.write(
      () => this.store.db.query("DELETE FROM sessions WHERE id = ?").run(id).changes,
    );
    if (changed === 0) throw new NotFoundError(`no session ${id}`);
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
