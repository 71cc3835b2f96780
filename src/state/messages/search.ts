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

/**
 * At most this many matches, the newest, are ranked. Each engine finds them in
 * id order through its index and stops there, so a word in nearly every
 * message costs about what a rarer one does; the price is that an older
 * message that would rank higher than all of the newest 1,000 is not shown.
 */
export const SEARCH_CANDIDATES = 1000;

/** How many matches to rank for a page of `limit`: SEARCH_CANDIDATES, or more for a larger page. */
export function candidateCount(limit: number): number {
  return Math.max(SEARCH_CANDIDATES, limit);
}

/** A matching message as the engine read it; `rankCandidates` scores them. */
export interface Candidate {
  id: number;
  session_id: string;
  role: Role;
  content: string;
}

// BM25's term-frequency and length parts, with its usual constants.
const K1 = 1.2;
const B = 0.75;

/**
 * The best `limit` candidates, ranked here so that both engines rank alike:
 * BM25 without its IDF factor (PostgreSQL's ts_rank has none either, and
 * FTS5's bm25() counts every message holding each word, once per query, ~20 ms
 * for a word in a million messages): more of the query's words in a shorter
 * message ranks higher; ties, and messages the engine matched on a form the
 * words here miss (FTS5 folds diacritics), newest first.
 */
export function rankCandidates(
  rows: readonly Candidate[],
  words: readonly string[],
  limit: number,
): SearchHit[] {
  const scored = rows.map((row) => {
    const tokens = row.content.toLowerCase().match(WORD) ?? [];
    const tf = new Map<string, number>();
    for (const t of tokens) if (words.includes(t)) tf.set(t, (tf.get(t) ?? 0) + 1);
    return { row, length: tokens.length, tf };
  });
  const average = Math.max(1, scored.reduce((n, s) => n + s.length, 0) / (scored.length || 1));
  const ranked = scored.map(({ row, length, tf }) => {
    let score = 0;
    for (const f of tf.values())
      score += (f * (K1 + 1)) / (f + K1 * (1 - B + (B * length) / average));
    return { row, score };
  });
  ranked.sort((a, b) => b.score - a.score || b.row.id - a.row.id);
  return ranked.slice(0, limit).map(({ row }) => ({
    sessionId: row.session_id,
    messageId: row.id,
    role: row.role,
    snippet: snippet(row.content, words),
  }));
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
