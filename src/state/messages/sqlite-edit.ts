// Changing a session's messages on SQLite: edit (the old content becomes a
// revision), remove, pop; and full-text search over FTS5 (ranked in ./search.ts).

import type { Database } from "bun:sqlite";
import { IntegrityError } from "../../errors.ts";
import type { StoreCore } from "../../store/core.ts";
import { isSqliteError } from "../../store/sqlite-errors.ts";
import { noSession } from "../sessions/rules.ts";
import { checkEdit, type Message, noMessageIn, noMessages, toMessage } from "./rules.ts";
import {
  type Candidate,
  candidateCount,
  checkSearch,
  ftsQuery,
  rankCandidates,
  type SearchHit,
  type SearchOptions,
  type SearchQuery,
} from "./search.ts";

export function editMessage(
  store: StoreCore,
  sessionId: string,
  id: number,
  content: string,
): Message {
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

export function removeMessage(store: StoreCore, sessionId: string, id: number): void {
  const changed = store.write(
    () =>
      store.db.query("DELETE FROM messages WHERE id = ? AND session_id = ?").run(id, sessionId)
        .changes,
  );
  if (changed === 0) throw noMessageIn(sessionId, id);
}

export function popMessage(store: StoreCore, sessionId: string): Message {
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

export function searchMessages(
  store: StoreCore,
  query: string,
  options: SearchOptions,
): SearchHit[] {
  const q = checkSearch(query, options);
  const rows = store.read(() => ftsRead(() => candidates(store.db, q)));
  return rankCandidates(rows, q.words, q.limit);
}

/**
 * A session's matches come one of two ways: its messages through their index,
 * each looked up in FTS5 by rowid (~16 µs a message), or FTS5's own matches
 * between its first and last id, each checked for the session (~1.5 µs a
 * match, across other sessions' messages too). The second, when the session
 * holds at least this share of the ids in its span.
 */
const DENSE = 0.1;

const AGENT = "(?3 IS NULL OR m.session_id IN (SELECT id FROM sessions WHERE agent = ?3))";

/** The newest SEARCH_CANDIDATES matches, newest first (FTS5 walks its index in rowid order). */
function candidates(db: Database, q: SearchQuery): Candidate[] {
  const args = [ftsQuery(q.words), q.session, q.agent, candidateCount(q.limit)] as const;
  if (q.session === null) {
    return db
      .query(
        `SELECT m.id, m.session_id, m.role, m.content FROM messages_fts
         JOIN messages m ON m.id = messages_fts.rowid
         WHERE messages_fts MATCH ?1 AND ?2 IS NULL AND ${AGENT}
         ORDER BY messages_fts.rowid DESC LIMIT ?4`,
      )
      .all(...args) as Candidate[];
  }
  const span = db
    .query("SELECT count(*) AS n, min(id) AS lo, max(id) AS hi FROM messages WHERE session_id = ?")
    .get(q.session) as { n: number; lo: number | null; hi: number | null };
  if (span.n === 0) return [];
  if (span.n < DENSE * ((span.hi ?? 0) - (span.lo ?? 0) + 1)) {
    // Spread thin over the ids: its own messages, newest first, each looked up by rowid.
    return db
      .query(
        `SELECT m.id, m.session_id, m.role, m.content FROM messages m CROSS JOIN messages_fts
         WHERE m.session_id = ?2 AND messages_fts.rowid = m.id AND messages_fts MATCH ?1
           AND ${AGENT}
         ORDER BY m.id DESC LIMIT ?4`,
      )
      .all(...args) as Candidate[];
  }
  // Dense in its span: the index's matches there, newest first (CROSS JOIN: FTS5 drives).
  return db
    .query(
      `SELECT m.id, m.session_id, m.role, m.content FROM messages_fts
       CROSS JOIN messages m ON m.id = messages_fts.rowid
       WHERE messages_fts MATCH ?1 AND messages_fts.rowid BETWEEN ?5 AND ?6
         AND m.session_id = ?2 AND ${AGENT}
       ORDER BY messages_fts.rowid DESC LIMIT ?4`,
    )
    .all(...args, span.lo, span.hi) as Candidate[];
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
