// Full-text search, once for both engines: the query's words (letters and
// digits, as SQLite's unicode61 and PostgreSQL's 'simple' parser split them),
// the engine's query text for them, and the snippet, cut here so that both
// engines print the same one.

import { UsageError } from "../../errors.ts";
import { checkSlug } from "../agents/rules.ts";
import { pageSize } from "../validate.ts";
import type { Role } from "./rules.ts";

export interface SearchOptions {
  session?: string | undefined;
  agent?: string | undefined;
  limit?: number | undefined;
}

export interface SearchHit {
  sessionId: string;
  messageId: number;
  role: Role;
  /** Around the first match, matched words in [brackets]. */
  snippet: string;
}

export interface SearchQuery {
  words: string[];
  session: string | null;
  agent: string | null;
  limit: number;
}

const WORD = /[\p{L}\p{N}]+/gu;

export function checkSearch(query: string, options: SearchOptions = {}): SearchQuery {
  const words =
    typeof query === "string" ? [...new Set(query.toLowerCase().match(WORD) ?? [])] : [];
  if (words.length === 0) throw new UsageError("the search query has no words to look for");
  if (words.length > 32) throw new UsageError("the search query has more than 32 words");
  return {
    words,
    session: options.session ?? null,
    agent: options.agent === undefined ? null : checkSlug(options.agent),
    limit: pageSize(options.limit, 20),
  };
}

/** FTS5: each word a quoted string, all of them required. */
export function ftsQuery(words: readonly string[]): string {
  return words.map((w) => `"${w}"`).join(" ");
}

/** to_tsquery('simple', …): words are letters and digits only, so joining them is safe. */
export function tsQuery(words: readonly string[]): string {
  return words.join(" & ");
}

const CONTEXT = 40;

/** A one-line excerpt around the first matched word, each match in [ ]. */
export function snippet(content: string, words: readonly string[]): string {
  const flat = content.replace(/\s+/g, " ");
  let first = -1;
  const marks: [number, number][] = [];
  for (const m of flat.matchAll(WORD)) {
    if (!words.includes(m[0].toLowerCase())) continue;
    const at = m.index ?? 0;
    if (first === -1) first = at;
    marks.push([at, at + m[0].length]);
  }
  if (first === -1) first = 0;
  const start = notInPair(flat, Math.max(0, first - CONTEXT));
  const end = notInPair(flat, Math.min(flat.length, first + CONTEXT * 2));
  let out = "";
  let pos = start;
  for (const [a, b] of marks) {
    if (a < start || b > end) continue;
    out += `${flat.slice(pos, a)}[${flat.slice(a, b)}]`;
    pos = b;
  }
  out += flat.slice(pos, end);
  return `${start > 0 ? "…" : ""}${out}${end < flat.length ? "…" : ""}`;
}

/** `i`, moved back off the second half of a surrogate pair, so no cut splits a character. */
function notInPair(text: string, i: number): number {
  const c = text.charCodeAt(i);
  return i > 0 && c >= 0xdc00 && c <= 0xdfff ? i - 1 : i;
}
