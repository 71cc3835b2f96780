// How sessions are listed and pruned, once for both engines: filters by agent,
// state and top-level metadata, a keyset cursor over (created_at, id) newest
// first, which stays valid while sessions come and go, and prune's criteria.

import { UsageError } from "../../errors.ts";
import { checkSlug } from "../agents/rules.ts";
import { checkInteger, checkLabel, checkText, pageSize } from "../validate.ts";
import type { Session } from "./rules.ts";

export interface ListSessionsOptions {
  agent?: string | undefined;
  state?: string | undefined;
  /** Exact matches on top-level metadata keys: the value as a string, or as a JSON literal (3, true, null). */
  where?: Readonly<Record<string, string>> | undefined;
  limit?: number | undefined;
  /** A page's `next`: the sessions after it. */
  after?: string | undefined;
  /** Skips that many first (kept for old callers; a cursor is what stays correct). */
  offset?: number | undefined;
}

export interface SessionPage {
  sessions: Session[];
  /** The cursor of the next page, or null on the last one. */
  next: string | null;
}

/** One --where filter: the metadata key, and the JSON texts its value may have. */
export interface WhereMatch {
  key: string;
  /** `metadata -> key` as JSON text equals one of these. */
  texts: [string, string];
}

export interface SessionQuery {
  agent: string | null;
  state: string | null;
  where: WhereMatch[];
  limit: number;
  offset: number;
  after: { createdAt: number; id: string } | null;
}

export function checkListSessions(options: ListSessionsOptions = {}): SessionQuery {
  const where = Object.entries(options.where ?? {}).map(([key, value]) => checkWhere(key, value));
  if (options.state !== undefined) checkText(options.state, "session state");
  return {
    agent: options.agent === undefined ? null : checkSlug(options.agent),
    state: options.state ?? null,
    where,
    limit: pageSize(options.limit),
    offset: Math.max(0, Math.trunc(options.offset ?? 0)),
    after: options.after === undefined ? null : decodeCursor(options.after),
  };
}

function checkWhere(key: string, value: string): WhereMatch {
  checkLabel(key, "metadata key", 128);
  // Keys are quoted into a JSON path on SQLite: a quote or backslash could not be.
  if (/["\\]/.test(key)) {
    throw new UsageError(`metadata key '${key.slice(0, 64)}' has a quote or backslash`);
  }
  if (typeof value !== "string") throw new UsageError(`metadata value for ${key} must be a string`);
  const asString = JSON.stringify(value);
  return { key, texts: [asString, isJsonScalar(value) ? value : asString] };
}

/** 3, -1.5, true, false, null: written so, they match the JSON value as well as the string. */
function isJsonScalar(text: string): boolean {
  if (text === "true" || text === "false" || text === "null") return true;
  return /^-?(0|[1-9]\d*)(\.\d+)?$/.test(text) && String(Number(text)) === text;
}

/** The page of `rows` fetched with limit + 1: at most `limit` sessions, and the cursor after them. */
export function toPage(rows: Session[], limit: number): SessionPage {
  const sessions = rows.slice(0, limit);
  const last = sessions[sessions.length - 1];
  return { sessions, next: rows.length > limit && last ? encodeCursor(last) : null };
}

export function encodeCursor(s: Pick<Session, "createdAt" | "id">): string {
  return Buffer.from(`${s.createdAt}.${s.id}`, "utf8").toString("base64url");
}

export function decodeCursor(cursor: string): { createdAt: number; id: string } {
  const bad = () =>
    new UsageError(`invalid cursor '${String(cursor).slice(0, 64)}'`, {
      hint: "pass the `next` value of the page before, unchanged",
    });
  if (typeof cursor !== "string" || !/^[A-Za-z0-9_-]{3,1400}$/.test(cursor)) throw bad();
  const text = Buffer.from(cursor, "base64url").toString("utf8");
  const match = /^(\d{1,16})\.(.+)$/s.exec(text);
  if (!match || encodeCursor({ createdAt: Number(match[1]), id: match[2] as string }) !== cursor) {
    throw bad();
  }
  return { createdAt: Number(match[1]), id: match[2] as string };
}

export interface PruneOptions {
  /** Sessions past their expires_at. */
  expired?: boolean | undefined;
  /** Sessions without a message (or, with none, since creation) for this many ms. */
  idleMs?: number | undefined;
  /** Only sessions in this state (alone: every session in it). */
  state?: string | undefined;
  /** List what would go; remove nothing. */
  dryRun?: boolean | undefined;
}

export interface PruneResult {
  count: number;
  /** The ids removed (or, on a dry run, that would be). */
  ids: string[];
  dryRun: boolean;
}

export interface PruneQuery {
  expired: boolean;
  idleMs: number | null;
  state: string | null;
  dryRun: boolean;
}

export function checkPrune(options: PruneOptions): PruneQuery {
  const idleMs = options.idleMs ?? null;
  if (idleMs !== null) checkInteger(idleMs, "idle duration (ms)", 0, Number.MAX_SAFE_INTEGER);
  if (options.state !== undefined) checkText(options.state, "session state");
  const q = {
    expired: options.expired === true,
    idleMs,
    state: options.state ?? null,
    dryRun: options.dryRun === true,
  };
  if (!q.expired && q.idleMs === null && q.state === null) {
    throw new UsageError("prune needs --expired, --idle DURATION or --state S", {
      hint: "add --dry-run to see what would go",
    });
  }
  return q;
}
