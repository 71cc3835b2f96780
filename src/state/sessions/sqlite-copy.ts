// Sessions copied inside the database on SQLite: fork (one transaction, one
// INSERT … SELECT), prune, and export/import as JSON Lines (./transfer.ts).

import type { StoreCore } from "../../store/core.ts";
import { noAgent } from "../agents/rules.ts";
import { noMessageIn, toMessage, toRevision } from "../messages/rules.ts";
import { checkPrune, type PruneOptions, type PruneResult } from "./listing.ts";
import { noSession, toSession } from "./rules.ts";
import { formatExport, messageArgs, metaText, parseExport } from "./transfer.ts";

/**
 * The copied messages' revisions, onto the copies: the copies were inserted in
 * id order into a new session, so the k-th copy is the k-th original.
 */
const REVISIONS_SQL = `INSERT INTO message_revisions (message_id, revision, content, created_at)
  SELECT n.id, r.revision, r.content, r.created_at
  FROM (SELECT id, row_number() OVER (ORDER BY id) AS k FROM messages WHERE session_id = ?1) n
  JOIN (SELECT id, row_number() OVER (ORDER BY id) AS k FROM messages
        WHERE session_id = ?2 AND id <= ?3) o ON o.k = n.k
  JOIN message_revisions r ON r.message_id = o.id`;

/** Copies session `id`, its messages up to `at` (default all) and their revisions: a new session; its id. */
export function forkSession(store: StoreCore, id: string, at: number | undefined): string {
  const db = store.db;
  const copy = crypto.randomUUID();
  store.write(() => {
    if (!db.query("SELECT 1 FROM sessions WHERE id = ?").get(id)) throw noSession(id);
    if (
      at !== undefined &&
      !db.query("SELECT 1 FROM messages WHERE id = ? AND session_id = ?").get(at, id)
    ) {
      throw noMessageIn(id, at);
    }
    const upto =
      at ??
      (
        db.query("SELECT max(id) AS n FROM messages WHERE session_id = ?").get(id) as {
          n: number | null;
        }
      ).n;
    const now = store.now();
    db.query(
      `INSERT INTO sessions (id, channel, user_id, state, metadata, created_at, updated_at, agent,
         parent_id, forked_at, expires_at, last_message_at)
       SELECT ?1, channel, user_id, state, metadata, ?2, ?2, agent, id, ?3, expires_at,
         (SELECT max(created_at) FROM messages WHERE session_id = ?4 AND id <= ?3)
       FROM sessions WHERE id = ?4`,
    ).run(copy, now, upto, id);
    db.query(
      `INSERT INTO messages (session_id, role, content, token_count, metadata, created_at, edited_at)
       SELECT ?1, role, content, token_count, metadata, created_at, edited_at FROM messages
       WHERE session_id = ?2 AND id <= ?3 ORDER BY id`,
    ).run(copy, id, upto ?? 0);
    db.query(REVISIONS_SQL).run(copy, id, upto ?? 0);
  });
  return copy;
}

export function pruneSessions(store: StoreCore, options: PruneOptions): PruneResult {
  const q = checkPrune(options);
  const now = store.now();
  const when: string[] = [];
  const params: (number | string)[] = [];
  const add = (into: string[], sql: string, value: number | string) => {
    into.push(sql);
    params.push(value);
  };
  if (q.expired) add(when, "expires_at <= ?", now);
  if (q.idleMs !== null) add(when, "coalesce(last_message_at, created_at) <= ?", now - q.idleMs);
  const conds = when.length > 0 ? [`(${when.join(" OR ")})`] : [];
  if (q.state !== null) add(conds, "state = ?", q.state);
  const where = conds.join(" AND ");
  const rows = store.write(() =>
    q.dryRun
      ? store.db
          .query(`SELECT id FROM sessions WHERE ${where} ORDER BY created_at, id`)
          .all(...params)
      : store.db.query(`DELETE FROM sessions WHERE ${where} RETURNING id`).all(...params),
  ) as { id: string }[];
  const ids = rows.map((r) => r.id);
  return { count: ids.length, ids, dryRun: q.dryRun };
}

export function exportSession(store: StoreCore, id: string): string {
  const db = store.db;
  return store.read(() =>
    db.transaction(() => {
      const row = db.query("SELECT * FROM sessions WHERE id = ?").get(id);
      if (!row) throw noSession(id);
      const messages = db.query("SELECT * FROM messages WHERE session_id = ? ORDER BY id").all(id);
      const revisions = db
        .query(
          `SELECT r.* FROM message_revisions r JOIN messages m ON m.id = r.message_id
           WHERE m.session_id = ? ORDER BY r.message_id, r.revision`,
        )
        .all(id);
      return formatExport(toSession(row), messages.map(toMessage), revisions.map(toRevision));
    })(),
  );
}

/** Reads an export back as a new session, in one transaction; its id. */
export function importSession(store: StoreCore, text: string): string {
  const { session: s, messages } = parseExport(text);
  const db = store.db;
  const id = crypto.randomUUID();
  store.write(() => {
    if (s.agent !== null && !db.query("SELECT 1 FROM agents WHERE slug = ?").get(s.agent)) {
      throw noAgent(s.agent);
    }
    db.query(
      `INSERT INTO sessions (id, channel, user_id, state, metadata, created_at, updated_at, agent,
         parent_id, forked_at, expires_at, last_message_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    ).run(
      id,
      s.channel,
      s.userId,
      s.state,
      metaText(s.metadata),
      s.createdAt,
      s.updatedAt,
      s.agent,
      s.parentId,
      s.forkedAt,
      s.expiresAt,
      s.lastMessageAt,
    );
    const insert = db.query(
      `INSERT INTO messages (session_id, role, content, token_count, metadata, created_at, edited_at)
       VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id`,
    );
    const revise = db.query(
      "INSERT INTO message_revisions (message_id, revision, content, created_at) VALUES (?, ?, ?, ?)",
    );
    for (const m of messages) {
      const a = messageArgs(m, store.redact);
      const { id: mid } = insert.get(
        id,
        a.role,
        a.content,
        a.tokenCount,
        a.metadata,
        m.createdAt,
        m.editedAt,
      ) as { id: number };
      for (const [i, r] of m.revisions.entries()) {
        revise.run(mid, i + 1, store.redact(r.content), r.createdAt);
      }
    }
  });
  return id;
}
