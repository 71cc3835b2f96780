// The audit trail (SPEC §13), written once for both engines: what a row holds
// (never a value), how each row's hash chains it to the one before, and the
// check that walks the chain and names the first broken link.

import * as v from "valibot";
import { AuthError, IntegrityError, NotFoundError } from "../../errors.ts";
import { checkLabel } from "../validate.ts";

/** The prev_hash of the first row. */
export const GENESIS = "0".repeat(64);
/** Domain separation for the row hash. */
const HASH_LABEL = "coffer.audit/v1";

export const OUTCOMES = ["ok", "denied", "not_found", "locked", "error"] as const;
export type Outcome = (typeof OUTCOMES)[number];

export interface AuditEntry {
  /** The key's name through serve, `cli` from the command line. */
  actor: string;
  /** get, set, rm, list, history, import, export, run, passwd, rotate. */
  action: string;
  scope?: string | null | undefined;
  name?: string | null | undefined;
  version?: number | null | undefined;
  outcome: Outcome;
}

export interface AuditRow {
  id: number;
  at: number;
  actor: string;
  action: string;
  scope: string | null;
  name: string | null;
  version: number | null;
  outcome: string;
  prevHash: string;
  hash: string;
}

export interface AuditListOptions {
  /** Only rows at or after this time (ms). */
  since?: number | undefined;
  limit?: number | undefined;
}

export type ChainCheck =
  | { ok: true; rows: number; head: string }
  | { ok: false; rows: number; brokenAt: number; reason: string };

/** How a failed operation is recorded. */
export function outcomeOf(err: unknown): Outcome {
  if (err instanceof NotFoundError) return "not_found";
  if (err instanceof AuthError) return "denied";
  return "error";
}

export function checkEntry(e: AuditEntry): Required<AuditEntry> {
  checkLabel(e.actor, "audit actor", 128);
  checkLabel(e.action, "audit action", 64);
  if (!OUTCOMES.includes(e.outcome)) throw new IntegrityError(`unknown audit outcome ${e.outcome}`);
  return {
    actor: e.actor,
    action: e.action,
    scope: e.scope ?? null,
    name: e.name ?? null,
    version: e.version ?? null,
    outcome: e.outcome,
  };
}

/** SHA-256 over the label, the previous hash and every field of the row, id included. */
export function rowHash(row: Omit<AuditRow, "hash">): string {
  const fields = [
    HASH_LABEL,
    row.prevHash,
    row.id,
    row.at,
    row.actor,
    row.action,
    row.scope,
    row.name,
    row.version,
    row.outcome,
  ];
  return new Bun.CryptoHasher("sha256").update(JSON.stringify(fields)).digest("hex");
}

/** Walks rows in id order: each must name the hash before it and hash to its own. */
export function verifyChain(rows: Iterable<AuditRow>): ChainCheck {
  let prev = GENESIS;
  let count = 0;
  let lastId = 0;
  for (const row of rows) {
    count++;
    if (row.id !== lastId + 1) {
      return { ok: false, rows: count, brokenAt: row.id, reason: `row ${lastId + 1} is missing` };
    }
    if (row.prevHash !== prev) {
      return {
        ok: false,
        rows: count,
        brokenAt: row.id,
        reason: "it does not follow the row before it",
      };
    }
    const { hash, ...rest } = row;
    if (rowHash(rest) !== hash) {
      return {
        ok: false,
        rows: count,
        brokenAt: row.id,
        reason: "its contents do not match its hash",
      };
    }
    prev = hash;
    lastId = row.id;
  }
  return { ok: true, rows: count, head: prev };
}

const Row = v.object({
  id: v.number(),
  at: v.number(),
  actor: v.string(),
  action: v.string(),
  scope: v.nullable(v.string()),
  name: v.nullable(v.string()),
  version: v.nullable(v.number()),
  outcome: v.string(),
  prev_hash: v.string(),
  hash: v.string(),
});

export function toAuditRow(row: unknown): AuditRow {
  const r = v.parse(Row, row);
  return {
    id: r.id,
    at: r.at,
    actor: r.actor,
    action: r.action,
    scope: r.scope,
    name: r.name,
    version: r.version,
    outcome: r.outcome,
    prevHash: r.prev_hash,
    hash: r.hash,
  };
}

/** The next row after `last` (or the first), hashed. */
export function nextRow(
  last: { id: number; hash: string } | null,
  entry: Required<AuditEntry>,
  at: number,
): AuditRow {
  const base = {
    id: (last?.id ?? 0) + 1,
    at,
    actor: entry.actor,
    action: entry.action,
    scope: entry.scope,
    name: entry.name,
    version: entry.version,
    outcome: entry.outcome,
    prevHash: last?.hash ?? GENESIS,
  };
  return { ...base, hash: rowHash(base) };
}
