// Masks secrets in anything coffer prints: known token shapes, and every
// value loaded from the vault in this process (registered by the vault).

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

export const MASK = "[redacted]";

/** Values shorter than this are not masked on their own: they would mangle ordinary text. */
export const MIN_MASKED_LENGTH = 4;

export class Redactor {
  private readonly values = new Set<string>();

  /** Registers a secret value so that it is masked from now on. */
  add(value: string): void {
    if (value.length >= MIN_MASKED_LENGTH) this.values.add(value);
    const trimmed = value.trim();
    if (trimmed !== value && trimmed.length >= MIN_MASKED_LENGTH) this.values.add(trimmed);
  }

  get size(): number {
    return this.values.size;
  }

  redact(text: string): string {
    let out = text;
    // Longest first, so a value containing another is masked whole.
    for (const value of [...this.values].sort((a, b) => b.length - a.length)) {
      out = out.split(value).join(MASK);
    }
    for (const pattern of TOKEN_PATTERNS) {
      out = out.replace(pattern, (_match, scheme?: string) =>
        typeof scheme === "string" && /^(bearer|basic)$/i.test(scheme) ? `${scheme} ${MASK}` : MASK,
      );
    }
    return out;
  }
}

/** The process-wide redactor that the vault feeds and every printer uses. */
export const redactor = new Redactor();
