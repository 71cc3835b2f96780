// What a session is and what its operations check, written once for both
// engines: the row shape, argument checks and the errors. Only SQL differs.

import * as v from "valibot";
import { NotFoundError, UsageError } from "../../errors.ts";
import { type Json, parseJsonText, toJsonText } from "../json.ts";
import { checkText, pageSize } from "../validate.ts";

export interface Session {
  id: string;
  channel: string;
  userId: string | null;
  state: string;
  metadata: Json | null;
  createdAt: number;
  updatedAt: number;
}

export interface NewSession {
  id?: string;
  channel?: string;
  userId?: string | null;
  state?: string;
  metadata?: Json | null;
}

export interface ListSessionsOptions {
  state?: string | undefined;
  limit?: number | undefined;
  offset?: number | undefined;
}

/** A new session's columns, checked, with defaults filled in (a random UUID for the id). */
export interface SessionArgs {
  id: string;
  channel: string;
  userId: string | null;
  state: string;
  /** JSON text, or null. */
  metadata: string | null;
}

const SessionRow = v.object({
  id: v.string(),
  channel: v.string(),
  user_id: v.nullable(v.string()),
  state: v.string(),
  metadata: v.nullable(v.string()),
  created_at: v.number(),
  updated_at: v.number(),
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
  };
}

/** Newest first, a page at a time; `state` null lists every state. */
export function checkListSessions(options: ListSessionsOptions = {}): {
  state: string | null;
  limit: number;
  offset: number;
} {
  const limit = pageSize(options.limit);
  const offset = Math.max(0, Math.trunc(options.offset ?? 0));
  return { state: options.state ?? null, limit, offset };
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
