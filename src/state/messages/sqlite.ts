// Messages of a session on SQLite, kept in the order they were appended.
// Rules (checks, redaction, row shape): ./messages/rules.ts.

import type { Store } from "../../store/store.ts";
import { noSession } from "../sessions/rules.ts";
import {
  checkLastCount,
  checkMessagePage,
  checkNewMessage,
  type Message,
  type NewMessage,
  toMessage,
} from "./rules.ts";

export { type Message, type NewMessage, ROLES, type Role } from "./rules.ts";

export class Messages {
  constructor(private readonly store: Store) {}

  append(sessionId: string, input: NewMessage): Message {
    const a = checkNewMessage(input, this.store.redact);
    const row = this.store.write(() => {
      if (!this.store.db.query("SELECT 1 FROM sessions WHERE id = ?").get(sessionId)) {
        throw noSession(sessionId);
      }
      return this.store.db
        .query(
          `INSERT INTO messages (session_id, role, content, token_count, metadata, created_at)
           VALUES (?, ?, ?, ?, ?, ?) RETURNING *`,
        )
        .get(sessionId, a.role, a.content, a.tokenCount, a.metadata, this.store.now());
    });
    return toMessage(row);
  }

  /** All messages of the session, oldest first (a page with `limit`/`offset`). */
  list(sessionId: string, options: { limit?: number; offset?: number } = {}): Message[] {
    const { limit, offset } = checkMessagePage(options);
    const rows = this.store.read(() =>
      this.store.db
        .query("SELECT * FROM messages WHERE session_id = ? ORDER BY id LIMIT ? OFFSET ?")
        .all(sessionId, limit ?? -1, offset),
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

  count(sessionId?: string): number {
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
