// API keys for `coffer serve` (SPEC §13), written once for both engines: the
// key format, its SHA-256, the rules grammar, what a rule allows, the row shape.

import * as v from "valibot";
import { NotFoundError, UsageError } from "../../errors.ts";
import { checkText } from "../validate.ts";

export const KEY_PREFIX = "cfk_";
/** `cfk_` + 43 base64url characters: 256 random bits. */
export const KEY_PATTERN = /^cfk_[A-Za-z0-9_-]{43}$/;

export interface ApiKey {
  name: string;
  rules: string[];
  createdAt: number;
  lastUsedAt: number | null;
  expiresAt: number | null;
}

/** A key as stored, with its hash (hex SHA-256 of the whole key text). */
export interface StoredKey extends ApiKey {
  keyHash: string;
}

export interface NewKey {
  name: string;
  rules?: readonly string[] | undefined;
  /** Milliseconds from now until the key stops working; none: it never expires. */
  expiresIn?: number | undefined;
}

/** What one request needs: a right of one area. */
export type Right =
  | { area: "sessions" | "agents"; write: boolean }
  | { area: "queue"; queue: string }
  /** scope null: some scope (a listing, filtered to the scopes the key may read). */
  | { area: "secrets"; scope: string | null; write: boolean }
  | { area: "admin" }
  /** Any key with at least one rule (the API's own description). */
  | { area: "any" };

// A vault scope (src/vault/names.ts) may hold ":"; a rule ending in ":read" is read-only.
const SCOPE = "[A-Za-z0-9][A-Za-z0-9_.:-]*";
const RULE = new RegExp(
  `^(?:sessions(?::read)?|agents(?::read)?|admin|queue:[^,\\s*]*\\*?|secrets:(?:\\*|${SCOPE})(?::read)?)$`,
);

/** Splits and checks "sessions,queue:emails,secrets:agent-1:read"; duplicates dropped. */
export function parseRules(text: string): string[] {
  const rules = text
    .split(",")
    .map((r) => r.trim())
    .filter((r) => r !== "");
  for (const rule of rules) {
    if (!RULE.test(rule) || rule === "queue:") {
      throw new UsageError(`unknown key rule '${rule.slice(0, 80)}'`, {
        hint: "rules: sessions[:read], agents[:read], queue:NAME (NAME may end in *), secrets:SCOPE[:read], admin",
      });
    }
  }
  return [...new Set(rules)];
}

/** Whether one of `rules` grants `right`. */
export function allows(rules: readonly string[], right: Right): boolean {
  return rules.some((rule) => grants(rule, right));
}

function grants(rule: string, right: Right): boolean {
  const parts = rule.split(":");
  const head = parts[0];
  switch (right.area) {
    case "admin":
      return rule === "admin";
    case "any":
      return true;
    case "sessions":
    case "agents":
      return head === right.area && (parts.length === 1 || !right.write);
    case "queue":
      return head === "queue" && matches(rule.slice("queue:".length), right.queue);
    case "secrets": {
      if (head !== "secrets") return false;
      const rest = rule.slice("secrets:".length);
      const readOnly = rest.endsWith(":read");
      const scope = readOnly ? rest.slice(0, -":read".length) : rest;
      const inScope = scope === "*" || right.scope === null || scope === right.scope;
      return inScope && (!readOnly || !right.write);
    }
  }
}

function matches(pattern: string, name: string): boolean {
  if (pattern.endsWith("*")) return name.startsWith(pattern.slice(0, -1));
  return pattern === name;
}

/** A fresh key: `cfk_` and 32 random bytes in base64url (43 characters, no padding). */
export function generateKey(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(32));
  return KEY_PREFIX + Buffer.from(bytes).toString("base64url");
}

export function hashKey(key: string): string {
  return new Bun.CryptoHasher("sha256").update(key).digest("hex");
}

/** Compares two hex hashes in constant time (lengths are public: both are SHA-256). */
export function sameHash(a: string, b: string): boolean {
  const x = Buffer.from(a, "hex");
  const y = Buffer.from(b, "hex");
  // Bun's global, not node:crypto's: that module alone costs ~2 ms of every command's start.
  return x.length === y.length && crypto.timingSafeEqual(x, y);
}

export function checkKeyName(name: string): string {
  checkText(name, "key name");
  if (!/^[A-Za-z0-9_.-]{1,64}$/.test(name)) {
    throw new UsageError(`invalid key name '${name.slice(0, 80)}'`, {
      hint: "use 1-64 letters, digits, '.', '_' or '-'",
    });
  }
  return name;
}

export function checkNewKey(input: NewKey, now: number) {
  const name = checkKeyName(input.name);
  const rules = parseRules((input.rules ?? []).join(","));
  const { expiresIn } = input;
  if (expiresIn !== undefined && (!Number.isSafeInteger(expiresIn) || expiresIn <= 0)) {
    throw new UsageError("a key's expiry must be a positive duration");
  }
  return { name, rules, expiresAt: expiresIn === undefined ? null : now + expiresIn };
}

const KeyRow = v.object({
  name: v.string(),
  key_hash: v.string(),
  rules: v.string(),
  created_at: v.number(),
  last_used_at: v.nullable(v.number()),
  expires_at: v.nullable(v.number()),
});

export function toStoredKey(row: unknown): StoredKey {
  const r = v.parse(KeyRow, row);
  return {
    name: r.name,
    keyHash: r.key_hash,
    rules: r.rules === "" ? [] : r.rules.split(","),
    createdAt: r.created_at,
    lastUsedAt: r.last_used_at,
    expiresAt: r.expires_at,
  };
}

/** The listing shape: never the hash. */
export function publicKey(k: StoredKey): ApiKey {
  return {
    name: k.name,
    rules: k.rules,
    createdAt: k.createdAt,
    lastUsedAt: k.lastUsedAt,
    expiresAt: k.expiresAt,
  };
}

export function keyExists(name: string): UsageError {
  return new UsageError(`a key named ${name} already exists`, {
    hint: `remove it first: coffer key rm ${name}`,
  });
}

export function noKey(name: string): NotFoundError {
  return new NotFoundError(`no key named ${name}`);
}
