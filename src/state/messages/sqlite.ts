// Messages of a session on SQLite, kept in the order they were appended; each
// append also marks the session's and its agent's last activity. Edits, pops
// and search: ./sqlite-edit.ts. Rules (checks, redaction, row shape): ./rules.ts.

import type { StoreCore } from "../../store/core.ts";
import { noSession } from "../sessions/rules.ts";
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
import { editMessage, popMessage, removeMessage, searchMessages } from "./sqlite-edit.ts";

export { type Message, type NewMessage, type Revision, ROLES, type Role } from "./rules.ts";
export type { SearchHit, SearchOptions } from "./search.ts";

export class Messages {
  constructor(private readonly store: StoreCore) {}

  append(sessionId: string, input: NewMessage): Message {
    const a = checkNewMessage(input, this.store.redact);
    const db = this.store.db;
    const now = this.store.now();
    const row = this.store.write(() => {
      const s = db.query("SELECT agent FROM sessions WHERE id = ?").get(sessionId) as {
        agent: string | null;
      } | null;
      if (!s) throw noSession(sessionId);
      db.query("UPDATE sessions SET last_message_at = ? WHERE id = ?").run(now, sessionId);
      if (s.agent !== null) {
        db.query("UPDATE agents SET last_active_at = ? WHERE slug = ?").run(now, s.agent);
      }
      return db
        .query(
          `INSERT INTO messages (session_id, role, content, token_count, metadata, created_at)
           VALUES (?, ?, ?, ?, ?, ?) RETURNING *`,
        )
        .get(sessionId, a.role, a.content, a.tokenCount, a.metadata, now);
    });
    return toMessage(row);
  }

  /** Messages of the session, oldest first: all, those after id `after`, a page with `limit`/`offset`. */
  list(sessionId: string, options: MessagePage = {}): Message[] {
    const { limit, offset, after } = checkMessagePage(options);
    const rows = this.store.read(() =>
      this.store.db
        .query(
          "SELECT * FROM messages WHERE session_id = ? AND id > ? ORDER BY id LIMIT ? OFFSET ?",
        )
        .all(sessionId, after, limit ?? -1, offset),
    );
    return rows.map(toMessage);
  }

  /** The last `n` messages, oldest first. */
  last(sessionId: string, n: number): Message[] {
    const limit = checkLastCount(n);
    const rows = this.store.read(() =>
      this.store.db
        .query(
          `SELECT * FROM (SELECT * FROM messages WHERE session_id = ? ORDER BY id DESC LIMIT ?)
           ORDER BY id`,
        )
        .all(sessionId, limit),
    );
    return rows.map(toMessage);
  }

  /** Message `id` of the session; NotFoundError (exit 3) when it is not there. */
  get(sessionId: string, id: number): Message {
    const row = this.store.read(() =>
      this.store.db
        .query("SELECT * FROM messages WHERE id = ? AND session_id = ?")
        .get(id, sessionId),
    );
    if (!row) throw noMessageIn(sessionId, id);
    return toMessage(row);
  }

  /** The earlier contents of message `id`, oldest first. */
  revisions(sessionId: string, id: number): Revision[] {
    this.get(sessionId, id);
    const rows = this.store.read(() =>
      this.store.db
        .query("SELECT * FROM message_revisions WHERE message_id = ? ORDER BY revision")
        .all(id),
    );
    return rows.map(toRevision);
  }

  /** Replaces the content; the previous one is kept as a revision. */
  edit(sessionId: string, id: number, content: string): Message {
    return editMessage(this.store, sessionId, id, content);
  }

  remove(sessionId: string, id: number): void {
    removeMessage(this.store, sessionId, id);
  }

  /** Removes and returns the latest message (exit 3 when there is none). */
  pop(sessionId: string): Message {
    return popMessage(this.store, sessionId);
  }

  /** Ranked full-text matches, best first, filtered by session or agent. */
  search(query: string, options: SearchOptions = {}): SearchHit[] {
    return searchMessages(this.store, query, options);
  }

  count(sessionId?: string): number {
    // Two statements, not "?1 IS NULL OR …": SQLite would plan that as a scan of every message.
    const row = this.store.read(() =>
      sessionId === undefined
        ? this.store.db.query("SELECT count(*) AS n FROM messages").get()
        : this.store.db
            .query("SELECT count(*) AS n FROM messages WHERE session_id = ?")
            .get(sessionId),
    ) as { n: number };
    return row.n;
  }
}
