// Sessions copied inside the database on PostgreSQL: fork (one transaction,
// INSERT … SELECT), prune, and export/import as JSON Lines (./transfer.ts).

import {
  inPgTransaction,
  type PgHandle,
  runPg,
  withNumbers,
} from "../../engines/postgres/handle.ts";
import { redactTokens } from "../../redact.ts";
import { noAgent } from "../agents/rules.ts";
import { noMessageIn, toMessage, toRevision } from "../messages/rules.ts";
import { checkPrune, type PruneOptions, type PruneResult } from "./listing.ts";
import { noSession, toSession } from "./rules.ts";
import { formatExport, messageArgs, metaText, parseExport } from "./transfer.ts";

const SESSION_NUMBERS = ["created_at", "updated_at", "forked_at", "expires_at", "last_message_at"];
const MESSAGE_NUMBERS = ["id", "token_count", "created_at", "edited_at"];

export function pgForkSession(db: PgHandle, id: string, at: number | undefined): Promise<string> {
  const copy = crypto.randomUUID();
  return inPgTransaction(db, (tx) =>
    runPg(tx, async (sql) => {
      // The source row locked: a racing delete waits for the copy, or the copy sees it gone.
      const [source] = await sql`SELECT id FROM sessions WHERE id = ${id} FOR SHARE`;
      if (!source) throw noSession(id);
      if (at !== undefined) {
        const [m] = await sql`SELECT 1 FROM messages WHERE id = ${at} AND session_id = ${id}`;
        if (!m) throw noMessageIn(id, at);
      }
      const [top] = await sql`SELECT max(id) AS n FROM messages WHERE session_id = ${id}`;
      const upto = at ?? (top.n === null ? null : Number(top.n));
      await sql`INSERT INTO sessions (id, channel, user_id, state, metadata, created_at, updated_at,
          agent, parent_id, forked_at, expires_at, last_message_at)
        SELECT ${copy}, channel, user_id, state, metadata, now_ms(), now_ms(), agent, id,
          ${upto}::bigint, expires_at,
          (SELECT max(created_at) FROM messages WHERE session_id = ${id} AND id <= ${upto ?? 0})
        FROM sessions WHERE id = ${id}`;
      await sql`INSERT INTO messages (session_id, role, content, token_count, metadata, created_at, edited_at)
        SELECT ${copy}, role, content, token_count, metadata, created_at, edited_at FROM messages
        WHERE session_id = ${id} AND id <= ${upto ?? 0} ORDER BY id`;
      return copy;
    }),
  );
}

export async function pgPruneSessions(db: PgHandle, options: PruneOptions): Promise<PruneResult> {
  const q = checkPrune(options);
  const when: string[] = [];
  if (q.expired) when.push("expires_at <= now_ms()");
  if (q.idleMs !== null)
    when.push("coalesce(last_message_at, created_at) <= now_ms() - $1::bigint");
  const conds = when.length > 0 ? [`(${when.join(" OR ")})`] : [];
  if (q.state !== null) conds.push("state = $2::text");
  const where = `${conds.join(" AND ")} AND $1::bigint IS NOT NULL AND $2::text IS NOT NULL`;
  const text = q.dryRun
    ? `SELECT id FROM sessions WHERE ${where} ORDER BY created_at, id COLLATE "C"`
    : `DELETE FROM sessions WHERE ${where} RETURNING id`;
  const rows = await runPg(db, (sql) => sql.unsafe(text, [q.idleMs ?? 0, q.state ?? ""]));
  const ids = (rows as { id: string }[]).map((r) => r.id);
  return { count: ids.length, ids, dryRun: q.dryRun };
}

export function pgExportSession(db: PgHandle, id: string): Promise<string> {
  return inPgTransaction(db, (tx) =>
    runPg(tx, async (sql) => {
      const [row] = await sql`SELECT * FROM sessions WHERE id = ${id}`;
      if (!row) throw noSession(id);
      const messages = await sql`SELECT * FROM messages WHERE session_id = ${id} ORDER BY id`;
      const revisions = await sql`SELECT r.* FROM message_revisions r
        JOIN messages m ON m.id = r.message_id WHERE m.session_id = ${id}
        ORDER BY r.message_id, r.revision`;
      return formatExport(
        toSession(withNumbers(row, SESSION_NUMBERS)),
        messages.map((m: Record<string, unknown>) => toMessage(withNumbers(m, MESSAGE_NUMBERS))),
        revisions.map((r: Record<string, unknown>) =>
          toRevision(withNumbers(r, ["message_id", "created_at"])),
        ),
      );
    }),
  );
}

export function pgImportSession(
  db: PgHandle,
  text: string,
  redact: (text: string) => string = redactTokens,
): Promise<string> {
  const { session: s, messages } = parseExport(text);
  const id = crypto.randomUUID();
  return inPgTransaction(db, (tx) =>
    runPg(tx, async (sql) => {
      if (s.agent !== null) {
        const [known] = await sql`SELECT 1 FROM agents WHERE slug = ${s.agent}`;
        if (!known) throw noAgent(s.agent);
      }
      await sql`INSERT INTO sessions (id, channel, user_id, state, metadata, created_at, updated_at,
          agent, parent_id, forked_at, expires_at, last_message_at)
        VALUES (${id}, ${s.channel}, ${s.userId}, ${s.state}, ${metaText(s.metadata)}, ${s.createdAt},
          ${s.updatedAt}, ${s.agent}, ${s.parentId}, ${s.forkedAt}, ${s.expiresAt}, ${s.lastMessageAt})`;
      for (const m of messages) {
        const a = messageArgs(m, redact);
        const [row] = await sql`INSERT INTO messages
            (session_id, role, content, token_count, metadata, created_at, edited_at)
          VALUES (${id}, ${a.role}, ${a.content}, ${a.tokenCount}, ${a.metadata}, ${m.createdAt},
            ${m.editedAt}) RETURNING id`;
        for (const [i, r] of m.revisions.entries()) {
          await sql`INSERT INTO message_revisions (message_id, revision, content, created_at)
            VALUES (${row.id}, ${i + 1}, ${redact(r.content)}, ${r.createdAt})`;
        }
      }
      return id;
    }),
  );
}
