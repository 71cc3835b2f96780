// What a message is and what an append checks, written once for both engines:
// the row shape, argument checks, and redaction before storage (SEC-08).

import * as v from "valibot";
import { NotFoundError, UsageError } from "../../errors.ts";
import { formatLimit, LIMITS } from "../../input/limits.ts";
import { redactJson } from "../../redact.ts";
import { type Json, parseJsonText, toJsonText } from "../json.ts";
import { checkInteger, pageSize } from "../validate.ts";

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
  /** When the content was last replaced by `edit` (its earlier contents are revisions), or null. */
  editedAt: number | null;
}

/** An earlier content of a message: revision 1 is the original. */
export interface Revision {
  messageId: number;
  revision: number;
  content: string;
  /** When this content was replaced. */
  createdAt: number;
}

export interface NewMessage {
  role: Role;
  content: string;
  tokenCount?: number | null;
  metadata?: Json | null;
}

/** A message's columns as stored: checked, then redacted. */
export interface MessageArgs {
  role: Role;
  content: string;
  tokenCount: number | null;
  /** JSON text, or null. */
  metadata: string | null;
}

const MessageRow = v.object({
  id: v.number(),
  session_id: v.string(),
  role: v.picklist(ROLES),
  content: v.string(),
  token_count: v.nullable(v.number()),
  metadata: v.nullable(v.string()),
  created_at: v.number(),
  edited_at: v.nullable(v.number()),
});

const RevisionRow = v.object({
  message_id: v.number(),
  revision: v.number(),
  content: v.string(),
  created_at: v.number(),
});

export function toRevision(row: unknown): Revision {
  const r = v.parse(RevisionRow, row);
  return {
    messageId: r.message_id,
    revision: r.revision,
    content: r.content,
    createdAt: r.created_at,
  };
}

/** A messages row (ids and times as numbers) to the Message shape, checked. */
export function toMessage(row: unknown): Message {
  const r = v.parse(MessageRow, row);
  return {
    id: r.id,
    sessionId: r.session_id,
    role: r.role,
    content: r.content,
    tokenCount: r.token_count,
    metadata: parseJsonText(r.metadata),
    createdAt: r.created_at,
    editedAt: r.edited_at,
  };
}

/** Checks a new message and redacts it: what is stored is what may be shown (SEC-08). */
export function checkNewMessage(input: NewMessage, redact: (text: string) => string): MessageArgs {
  if (!ROLES.includes(input.role)) {
    throw new UsageError(`role must be one of ${ROLES.join(", ")}, got ${String(input.role)}`);
  }
  if (typeof input.content !== "string") throw new UsageError("message content must be a string");
  checkContent(input.content);
  if (input.tokenCount != null) checkInteger(input.tokenCount, "token count", 0, 2 ** 31);
  const metadata =
    input.metadata == null
      ? null
      : redactJsonText(toJsonText(input.metadata, "message metadata"), redact);
  return {
    role: input.role,
    content: redact(input.content),
    tokenCount: input.tokenCount ?? null,
    metadata,
  };
}

export interface MessagePage {
  limit?: number | undefined;
  offset?: number | undefined;
  /** Only messages with a greater id. */
  after?: number | undefined;
}

/** A page of a session's messages; `limit` null means all of them. */
export function checkMessagePage(options: MessagePage = {}): {
  limit: number | null;
  offset: number;
  after: number;
} {
  const limit = options.limit === undefined ? null : pageSize(options.limit);
  if (options.after !== undefined)
    checkInteger(options.after, "message id", 0, Number.MAX_SAFE_INTEGER);
  return { limit, offset: Math.max(0, Math.trunc(options.offset ?? 0)), after: options.after ?? 0 };
}

/** An edit's new content: checked and redacted as an append's. */
export function checkEdit(content: string, redact: (text: string) => string): string {
  if (typeof content !== "string") throw new UsageError("message content must be a string");
  checkContent(content);
  return redact(content);
}

export function noMessages(session: string): NotFoundError {
  return new NotFoundError(`session ${session} has no messages`);
}

/** How many of the last messages to return. */
export function checkLastCount(n: number): number {
  return pageSize(n);
}

/** Redacts every string of a JSON text (after toJsonText has checked it), keeping it JSON. */
function redactJsonText(text: string, redact: (text: string) => string): string {
  return JSON.stringify(redactJson(JSON.parse(text), redact));
}

/** Both engines store UTF-8: a lone surrogate would come back as U+FFFD, so it is refused. */
export function checkContent(content: string): void {
  if (!content.isWellFormed()) {
    throw new UsageError("message content is not valid Unicode text (a lone surrogate)");
  }
  if (Buffer.byteLength(content) > LIMITS.messageContent) {
    throw new UsageError(`message content is over the ${formatLimit(LIMITS.messageContent)} limit`);
  }
}

export function noMessageIn(session: string, id: number): NotFoundError {
  return new NotFoundError(`no message ${id} in session ${session}`);
}
