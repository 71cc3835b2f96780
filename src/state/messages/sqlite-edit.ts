// Changing a session's messages on SQLite: edit (the old content becomes a
// revision), remove, pop; and ranked full-text search over FTS5.

import { IntegrityError } from "../../errors.ts";
import { isSqliteError } from "../../store/sqlite-errors.ts";
import type { Store } from "../../store/store.ts";
import { noSession } from "../sessions/rules.ts";
import { checkEdit, type Message, noMessageIn, noMessages, toMessage } from "./rules.ts";
import { checkSearch, ftsQuery, type SearchHit, type SearchOptions, snippet } from "./search.ts";

export function editMessage(store: Store, sessionId: string, id: number, content: string): Message {
  const text = checkEdit(content, store.redact);
  const db = store.db;
  const now = store.now();
  return toMessage(
    store.write(() => {
      const old = db
        .query("SELECT content FROM messages WHERE id = ? AND session_id = ?")
        .get(id, sessionId) as { content: string } | null;
      if (!old) throw noMessageIn(sessionId, id);
      db.query(
        `INSERT INTO message_revisions (message_id, revision, content, created_at)
         VALUES (?1, (SELECT coalesce(max(revision), 0) + 1 FROM message_revisions
           WHERE message_id = ?1), ?2, ?3)`,
      ).run(id, old.content, now);
      return db
        .query("UPDATE messages SET content = ?, edited_at = ? WHERE id = ? RETURNING *")
        .get(text, now, id);
    }),
  );
}

export function removeMessage(store: Store, sessionId: string, id: number): void {
  const changed = store.write(
    () =>
      store.db.query("DELETE FROM messages WHERE id = ? AND session_id = ?").run(id, sessionId)
        .changes,
  );
  if (changed === 0) throw noMessageIn(sessionId, id);
}

export function popMessage(store: Store, sessionId: string): Message {
  const db = store.db;
  return toMessage(
    store.write(() => {
      if (!db.query("SELECT 1 FROM sessions WHERE id = ?").get(sessionId))
        throw noSession(sessionId);
      const row = db
        .query(
          `DELETE FROM messages WHERE id = (SELECT max(id) FROM messages WHERE session_id = ?)
           RETURNING *`,
        )
        .get(sessionId);
      if (!row) throw noMessages(sessionId);
      return row;
    }),
  );
}

export function searchMessages(store: Store, query: string, options: SearchOptions): SearchHit[] {
  const q = checkSearch(query, options);
  const rows = store.read(() =>
    ftsRead(() =>
      store.db
        .query(
          `SELECT m.id, m.session_id, m.role, m.content FROM messages_fts
           JOIN messages m ON m.id = messages_fts.rowid
         WHERE messages_fts MATCH ?1 AND (?2 IS NULL OR m.session_id = ?2)
           AND (?3 IS NULL OR m.session_id IN (SELECT id FROM sessions WHERE agent = ?3))
         ORDER BY bm25(messages_fts), m.id DESC LIMIT ?4`,
        )
        .all(ftsQuery(q.words), q.session, q.agent, q.limit),
    ),
  ) as { id: number; session_id: string; role: SearchHit["role"]; content: string }[];
  return rows.map((r) => ({
    sessionId: r.session_id,
    messageId: r.id,
    role: r.role,
    snippet: snippet(r.content, q.words),
  }));
}

/**
 * A damaged FTS5 index (its shadow tables changed outside coffer) is an
 * integrity error, not the transient I/O error a corrupt read of the file
 * would be: the file itself checks out, only the index disagrees with it.
 */
function ftsRead<T>(fn: () => T): T {
  try {
    return fn();
  } catch (err) {
    if (isSqliteError(err) && /^SQLITE_CORRUPT/.test(err.code ?? "")) {
      throw new IntegrityError("the full-text index of messages is damaged", {
        cause: err,
        hint: "restore the store from a backup",
      });
    }
    throw err;
  }
}
