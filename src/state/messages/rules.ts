// What a message is and what an append checks, written once for both engines:
// the row shape, argument checks, and redaction before storage (SEC-08).

import * as v from "valibot";
import { UsageError } from "../../errors.ts";
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
});

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

/** A page of a session's messages; `limit` null means all of them. */
export function checkMessagePage(options: { limit?: number; offset?: number } = {}): {
  limit: number | null;
  offset: number;
} {
  const limit = options.limit === undefined ? null : pageSize(options.limit);
  return { limit, offset: Math.max(0, Math.trunc(options.offset ?? 0)) };
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
function checkContent(content: string): void {
  if (!content.isWellFormed()) {
    throw new UsageError("message content is not valid Unicode text (a lone surrogate)");
  }
  if (Buffer.byteLength(content) > LIMITS.messageContent) {
    throw new UsageError(`message content is over the ${formatLimit(LIMITS.messageContent)} limit`);
  }
}
