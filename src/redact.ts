// Masks secrets in text: known token shapes, and the values a caller registers
// (the CLI registers every value it loads from the vault). No process state:
// whoever prints or stores text passes the Redactor it wants applied.

const TOKEN_PATTERNS: readonly RegExp[] = [
  /\bsk-[A-Za-z0-9_-]{16,}/g, // OpenAI, Anthropic and similar
  /\b(?:ghp|gho|ghu|ghs|ghr)_[A-Za-z0-9]{20,}/g, // GitHub tokens
  /\bgithub_pat_[A-Za-z0-9_]{20,}/g,
  /\bxox[abprs]-[A-Za-z0-9-]{10,}/g, // Slack
  /\bAKIA[0-9A-Z]{16}\b/g, // AWS access key id
  /\bAIza[0-9A-Za-z_-]{35}\b/g, // Google API key
  /\beyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}/g, // JWT
  /\b(?:sk|rk)_(?:live|test)_[A-Za-z0-9]{16,}/g, // Stripe
  /\bglpat-[A-Za-z0-9_-]{20,}/g, // GitLab
  /\bhf_[A-Za-z0-9]{30,}/g, // Hugging Face
  /\bnpm_[A-Za-z0-9]{36}\b/g, // npm
  /\bxapp-[A-Za-z0-9-]{10,}/g, // Slack app-level
  /\b(Bearer|Basic)\s+[A-Za-z0-9._~+/=-]{8,}/gi, // Authorization headers
];

/**
 * No token shape matches fewer characters than this ("Basic " and 8): shorter
 * text skips the patterns, whose first use (compiling 13 regexps) costs ~0.4 ms
 * of a command's start-up.
 */
const SHORTEST_TOKEN = 14;

export const MASK = "[redacted]";

/** Values shorter than this (in characters) are never masked: they would mangle ordinary text. */
export const MIN_MASKED_LENGTH = 4;

/**
 * A word-like value (only A-Z a-z 0-9 _) shorter than this is masked only as
 * a whole word, so the secret `after` leaves `after_free` alone. Longer values,
 * and any value with another character, are masked wherever they appear.
 */
export const WHOLE_WORD_BELOW = 16;

export type MaskRule = "skip" | "whole-word" | "anywhere";

/** How a registered value is matched: the one policy for text and for byte streams. */
export function maskRule(value: string): MaskRule {
  const length = Array.from(value).length;
  if (length < MIN_MASKED_LENGTH) return "skip";
  if (length < WHOLE_WORD_BELOW && /^\w+$/.test(value)) return "whole-word";
  return "anywhere";
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

export class Redactor {
  private readonly values = new Map<string, RegExp | null>();
  private ordered: [string, RegExp | null][] | undefined;

  /** Registers a secret value so that it is masked from now on (too short ones are ignored). */
  add(value: string): void {
    for (const v of new Set([value, value.trim()])) {
      const rule = maskRule(v);
      if (rule === "skip" || this.values.has(v)) continue;
      const word =
        rule === "whole-word" ? new RegExp(`(?<!\\w)${escapeRegExp(v)}(?!\\w)`, "g") : null;
      this.values.set(v, word);
      this.ordered = undefined;
    }
  }

  /** add() for a value as stored: bytes, decoded as UTF-8. */
  addBytes(value: Uint8Array): void {
    this.add(new TextDecoder().decode(value));
  }

  get size(): number {
    return this.values.size;
  }

  redact(text: string): string {
    // Longest first, so a value containing another is masked whole.
    this.ordered ??= [...this.values].sort((a, b) => b[0].length - a[0].length);
    let out = text;
    for (const [value, word] of this.ordered) {
      out = word ? out.replace(word, MASK) : out.split(value).join(MASK);
    }
    if (out.length < SHORTEST_TOKEN) return out;
    for (const pattern of TOKEN_PATTERNS) {
      out = out.replace(pattern, (_match, scheme?: string) =>
        typeof scheme === "string" && /^(bearer|basic)$/i.test(scheme) ? `${scheme} ${MASK}` : MASK,
      );
    }
    return out;
  }
}

const TOKENS_ONLY = new Redactor();

/** Known token shapes only: what a Store masks when it is given no redactor. */
export const redactTokens = (text: string): string => TOKENS_ONLY.redact(text);

/** Applies `redact` to every string of a JSON value, keys included; the structure is kept. */
export function redactJson<T>(value: T, redact: (text: string) => string): T {
  if (typeof value === "string") return redact(value) as T;
  if (Array.isArray(value)) return value.map((v) => redactJson(v, redact)) as T;
  if (value !== null && typeof value === "object") {
    // fromEntries defines properties: a `__proto__` key stays a key.
    return Object.fromEntries(
      Object.entries(value).map(([k, v]) => [redact(k), redactJson(v, redact)]),
    ) as T;
  }
  return value;
}
