// Makes text safe to show on a terminal: control characters (C0, DEL, C1) and
// the Unicode format characters that reorder or hide text (bidi overrides and
// isolates, line and paragraph separators) are shown as escapes, never sent raw.

const NAMED: Record<string, string> = { "\n": "\\n", "\r": "\\r", "\t": "\\t" };

// C0, DEL, C1; ALM, LRM, RLM; LRE…RLO; LRI…PDI; LS, PS; BOM.
const UNSAFE =
  // biome-ignore lint/suspicious/noControlCharactersInRegex: finding them is the point.
  /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\u2028\u2029\ufeff]/g;

function escapeOne(ch: string): string {
  const named = NAMED[ch];
  if (named) return named;
  const code = ch.charCodeAt(0);
  return code < 0x100
    ? `\\x${code.toString(16).padStart(2, "0")}`
    : `\\u${code.toString(16).padStart(4, "0")}`;
}

/** `text` with every unsafe character escaped (`\x1b`, `\n`, `\u202e`); the rest unchanged. */
export function escapeControl(text: string): string {
  return text.replace(UNSAFE, escapeOne);
}
