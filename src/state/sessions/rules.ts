// What a session is and what its operations check, written once for both
// engines: the row shape, argument checks and the errors. Only SQL differs.

import * as v from "valibot";
import { NotFoundError, UsageError } from "../../errors.ts";
import { checkSlug } from "../agents/rules.ts";
import { type Json, parseJsonText, toJsonText } from "../json.ts";
import { checkInteger, checkText } from "../validate.ts";

export interface Session {
  id: string;
  channel: string;
  userId: string | null;
  state: string;
  metadata: Json | null;
  createdAt: number;
  updatedAt: number;
  /** The agent the session belongs to (removed with it), or null. */
  agent: string | null;
  /** The session this one was forked from, and the last message id copied. */
  parentId: string | null;
  forkedAt: number | null;
  expiresAt: number | null;
  lastMessageAt: number | null;
}

export interface NewSession {
  id?: string;
  channel?: string;
  userId?: string | null;
  state?: string;
  metadata?: Json | null;
  agent?: string | null | undefined;
  /** Time to live from now, in ms: the session expires (and `prune --expired` takes it) then. */
  ttlMs?: number | null | undefined;
}

export interface SessionChanges {
  state?: string | undefined;
  /** null clears it. */
  metadata?: Json | undefined;
  /** From now, in ms; null clears the expiry. */
  ttlMs?: number | null | undefined;
}

/** A new session's columns, checked, with defaults filled in (a random UUID for the id). */
export interface SessionArgs {
  id: string;
  channel: string;
  userId: string | null;
  state: string;
  /** JSON text, or null. */
  metadata: string | null;
  agent: string | null;
  ttlMs: number | null;
}

/** Changed columns only; undefined leaves a column as it is. */
export interface SessionPatch {
  state: string | undefined;
  metadata: { text: string | null } | undefined;
  ttl: { ms: number | null } | undefined;
}

const SessionRow = v.object({
  id: v.string(),
  channel: v.string(),
  user_id: v.nullable(v.string()),
  state: v.string(),
  metadata: v.nullable(v.string()),
  created_at: v.number(),
  updated_at: v.number(),
  agent: v.nullable(v.string()),
  parent_id: v.nullable(v.string()),
  forked_at: v.nullable(v.number()),
  expires_at: v.nullable(v.number()),
  last_message_at: v.nullable(v.number()),
});

/** A sessions row (times as ms numbers) to the Session shape, checked. */
export function toSession(row: unknown): Session {
  const r = v.parse(SessionRow, row);
  return {
    id: r.id,
    channel: r.channel,
    userId: r.user_id,
    state: r.state,
    metadata: parseJsonText(r.metadata),
    createdAt: r.created_at,
    updatedAt: r.updated_at,
    agent: r.agent,
    parentId: r.parent_id,
    forkedAt: r.forked_at,
    expiresAt: r.expires_at,
    lastMessageAt: r.last_message_at,
  };
}

export function checkNewSession(input: NewSession = {}): SessionArgs {
  const id = input.id ?? crypto.randomUUID();
  checkText(id, "session id");
  const metadata = input.metadata == null ? null : toJsonText(input.metadata, "session metadata");
  return {
    id,
    channel: input.channel ?? "unknown",
    userId: input.userId ?? null,
    state: input.state ?? "active",
    metadata,
    agent: input.agent == null ? null : checkSlug(input.agent),
    ttlMs: checkTtl(input.ttlMs),
  };
}

export function checkSessionChanges(changes: SessionChanges): SessionPatch {
  if (changes.state !== undefined) checkState(changes.state);
  return {
    state: changes.state,
    metadata:
      changes.metadata === undefined
        ? undefined
        : {
            text:
              changes.metadata === null ? null : toJsonText(changes.metadata, "session metadata"),
          },
    ttl: changes.ttlMs === undefined ? undefined : { ms: checkTtl(changes.ttlMs) },
  };
}

function checkTtl(ms: number | null | undefined): number | null {
  if (ms == null) return null;
  checkInteger(ms, "session ttl (ms)", 1, 100 * 365 * 86_400_000);
  return ms;
}

export function checkState(state: string): void {
  checkText(state, "session state");
}

export function sessionExists(id: string): UsageError {
  return new UsageError(`session ${id} already exists`);
}

export function noSession(id: string): NotFoundError {
  return new NotFoundError(`no session ${id}`);
}
