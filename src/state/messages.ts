// Messages of a session, kept in the order they were appended.

import * as v from "valibot";
import { NotFoundError, UsageError } from "../errors.ts";
import { formatLimit, LIMITS } from "../input/limits.ts";
import { redactJson } from "../redact.ts";
import type { Store } from "../store/store.ts";
import { type Json, parseJsonText, toJsonText } from "./json.ts";
import { checkInteger, pageSize } from "./validate.ts";

export const ROLES = ["user", "assistant", "system", "tool"] as const;
export type Role = (typeof ROLES)[number];

export interface Message {
  id: number;
  sessionId: string;
  role: Role;
  content: string;
  tokenCount: number | null;
  metadata: Json | null;
  createdAt: number;
}

export interface NewMessage {
  role: Role;
  content: string;
  tokenCount?: number | null;
  metadata?: Json | null;
}

const MessageRow = v.object({
  id: v.number(),
  session_id: v.string(),
  role: v.picklist(ROLES),
  content: v.string(),
  token_count: v.nullable(v.number()),
  metadata: v.nullable(v.string()),
  created_at: v.number(),
});

function toMessage(row: unknown): Message {
  const r = v.parse(MessageRow, row);
  return {
    id: r.id,
    sessionId: r.session_id,
    role: r.role,
    content: r.content,
    tokenCount: r.token_count,
    metadata: parseJsonText(r.metadata),
    createdAt: r.created_at,
  };
}

/** Redacts every string of a JSON text (after toJsonText has checked it), keeping it JSON. */
function redactJsonText(text: string, redact: (text: string) => string): string {
  return JSON.stringify(redactJson(JSON.parse(text), redact));
}

export class Messages {
  constructor(private readonly store: Store) {}

  append(sessionId: string, input: NewMessage): Message {
    if (!ROLES.includes(input.role)) {
      throw new UsageError(`role must be one of ${ROLES.join(", ")}, got ${String(input.role)}`);
    }
    if (typeof input.content !== "string") throw new UsageError("message content must be a string");
    checkContent(input.content);
    if (input.tokenCount != null) checkInteger(input.tokenCount, "token count", 0, 2 ** 31);
    // Redacted before storage (SEC-08): what is stored is what may be shown.
    const redact = this.store.redact;
    const content = redact(input.content);
    const metadata =
      input.metadata == null
        ? null
        : redactJsonText(toJsonText(input.metadata, "message metadata"), redact);
    const row = this.store.write(() => {
      if (!this.store.db.query("SELECT 1 FROM sessions WHERE id = ?").get(sessionId)) {
        throw new NotFoundError(`no session ${sessionId}`);
      }
      return this.store.db
        .query(
          `INSERT INTO messages (session_id, role, content, token_count, metadata, created_at)
           VALUES (?, ?, ?, ?, ?, ?) RETURNING *`,
        )
        .get(sessionId, input.role, content, input.tokenCount ?? null, metadata, this.store.now());
    });
    return toMessage(row);
  }

  /** All messages of the session, oldest first (a page with `limit`/`offset`). */
  list(sessionId: string, options: { limit?: number; offset?: number } = {}): Message[] {
    const limit = options.limit === undefined ? -1 : pageSize(options.limit);
    const offset = Math.max(0, Math.trunc(options.offset ?? 0));
    const rows = this.store.read(() =>
      this.store.db
        .query("SELECT * FROM messages WHERE session_id = ? ORDER BY id LIMIT ? OFFSET ?")
        .all(sessionId, limit, offset),
    );
    return rows.map(toMessage);
  }

  /** The last `n` messages, oldest first. */
  last(sessionId: string, n: number): Message[] {
    const limit = pageSize(n);
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

/** SQLite stores UTF-8: a lone surrogate would come back as U+FFFD, so it is refused. */
function checkContent(content: string): void {
  if (!content.isWellFormed()) {
    throw new UsageError("message content is not valid Unicode text (a lone surrogate)");
  }
  if (Buffer.byteLength(content) > LIMITS.messageContent) {
    throw new UsageError(`message content is over the ${formatLimit(LIMITS.messageContent)} limit`);
  }
}
