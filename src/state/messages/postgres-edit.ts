// Changing a session's messages on PostgreSQL: edit (the old content becomes a
// revision), remove, pop; and ranked full-text search (GIN over to_tsvector).

import {
  inPgTransaction,
  type PgHandle,
  runPg,
  withNumbers,
} from "../../engines/postgres/handle.ts";
import { noSession } from "../sessions/rules.ts";
import { checkEdit, type Message, noMessageIn, noMessages, toMessage } from "./rules.ts";
import { checkSearch, type SearchHit, type SearchOptions, snippet, tsQuery } from "./search.ts";

const BIGINTS = ["id", "token_count", "created_at", "edited_at"];
const asMessage = (row: Record<string, unknown>) => toMessage(withNumbers(row, BIGINTS));

export function pgEditMessage(
  db: PgHandle,
  sessionId: string,
  id: number,
  content: string,
  redact: (text: string) => string,
): Promise<Message> {
  const text = checkEdit(content, redact);
  return inPgTransaction(db, (tx) =>
    runPg(tx, async (sql) => {
      // The row lock orders concurrent edits: each sees the content the one before left.
      const [old] = await sql`SELECT content FROM messages
        WHERE id = ${id} AND session_id = ${sessionId} FOR UPDATE`;
      if (!old) throw noMessageIn(sessionId, id);
      await sql`INSERT INTO message_revisions (message_id, revision, content, created_at)
        VALUES (${id}, (SELECT coalesce(max(revision), 0) + 1 FROM message_revisions
          WHERE message_id = ${id}), ${old.content}, now_ms())`;
      const [row] = await sql`UPDATE messages SET content = ${text}, edited_at = now_ms()
        WHERE id = ${id} RETURNING *`;
      return asMessage(row);
    }),
  );
}

export async function pgRemoveMessage(db: PgHandle, sessionId: string, id: number): Promise<void> {
  const r = await runPg(
    db,
    (sql) => sql`DELETE FROM messages WHERE id = ${id} AND session_id = ${sessionId}`,
  );
  if (r.count === 0) throw noMessageIn(sessionId, id);
}

export function pgPopMessage(db: PgHandle, sessionId: string): Promise<Message> {
  return inPgTransaction(db, (tx) =>
    runPg(tx, async (sql) => {
      const [s] = await sql`SELECT 1 FROM sessions WHERE id = ${sessionId} FOR UPDATE`;
      if (!s) throw noSession(sessionId);
      const [row] = await sql`DELETE FROM messages WHERE id = (SELECT max(id) FROM messages
        WHERE session_id = ${sessionId}) RETURNING *`;
      if (!row) throw noMessages(sessionId);
      return asMessage(row);
    }),
  );
}

export async function pgSearchMessages(
  db: PgHandle,
  query: string,
  options: SearchOptions,
): Promise<SearchHit[]> {
  const q = checkSearch(query, options);
  const ts = tsQuery(q.words);
  const rows = await runPg(
    db,
    (sql) =>
      // The agent's sessions as a subquery, only when asked: a join would read every session.
      sql`SELECT m.id, m.session_id, m.role, m.content FROM messages m
      WHERE to_tsvector('simple'::regconfig, m.content) @@ to_tsquery('simple'::regconfig, ${ts})
        AND (${q.session}::text IS NULL OR m.session_id = ${q.session})
        AND (${q.agent}::text IS NULL
          OR m.session_id IN (SELECT id FROM sessions WHERE agent = ${q.agent}))
      ORDER BY ts_rank(to_tsvector('simple'::regconfig, m.content),
        to_tsquery('simple'::regconfig, ${ts})) DESC, m.id DESC
      LIMIT ${q.limit}`,
  );
  return rows.map((r: Record<string, unknown>) => ({
    sessionId: r.session_id as string,
    messageId: Number(r.id),
    role: r.role as SearchHit["role"],
    snippet: snippet(r.content as string, q.words),
  }));
}
