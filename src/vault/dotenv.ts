// .env and JSON for `secret import` / `secret export`. Export quotes every
// unsafe value in single quotes, so `set -a; . ./file` in a POSIX shell reads
// it back byte for byte; import also takes dotenv's double-quoted escapes.
// Export then import is exact for every UTF-8 value without NUL (JSON: every UTF-8 value).

import { UsageError } from "../errors.ts";

export interface Pair {
  name: string;
  value: string;
}

const SAFE = /^[A-Za-z0-9_@%+=:,./-]*$/;
const LINE_NAME = /^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*=/;

/** NUL cannot be in an environment variable, so a .env file refuses it rather than cut the value. */
export function formatEnv(pairs: readonly Pair[]): string {
  for (const { name, value } of pairs) {
    if (value.includes("\0")) {
      throw new UsageError(`secret ${name} holds a NUL byte, which a .env file cannot carry`, {
        hint: "export --format json keeps it (as \\u0000)",
      });
    }
  }
  return pairs.map(({ name, value }) => `${name}=${quote(value)}\n`).join("");
}

/** Single quotes keep everything literal in sh; a single quote itself is closed, escaped, reopened. */
export function quote(value: string): string {
  if (value !== "" && SAFE.test(value)) return value;
  return `'${value.replaceAll("'", `'\\''`)}'`;
}

/** CRLF ends a line only outside quotes: inside them every character is the value's own. */
export function parseEnv(src: string): Pair[] {
  const pairs: Pair[] = [];
  let at = 0;
  let line = 1;
  while (at < src.length) {
    const end = src.indexOf("\n", at);
    const current = src.slice(at, end === -1 ? src.length : end);
    const match = LINE_NAME.exec(current);
    if (!match) {
      if (current.trim() !== "" && !current.trim().startsWith("#")) {
        throw new UsageError(`.env line ${line}: expected NAME=value`);
      }
      at = end === -1 ? src.length : end + 1;
      line++;
      continue;
    }
    const parsed = parseValue(src, at + match[0].length, line);
    pairs.push({ name: match[1] as string, value: parsed.value });
    line += countNewlines(src.slice(at, parsed.end)) + 1;
    at = parsed.end + 1;
  }
  return pairs;
}

/** Reads a value from `at` to the end of its (logical) line: bare words and quoted runs, concatenated. */
function parseValue(src: string, at: number, line: number): { value: string; end: number } {
  let value = "";
  let i = at;
  while (i < src.length && (src[i] === " " || src[i] === "\t")) i++;
  for (;;) {
    const c = src[i];
    if (c === undefined || c === "\n") return { value, end: i };
    if (c === "\r" && (src[i + 1] === "\n" || i + 1 === src.length)) return { value, end: i + 1 };
    if (c === "#" && (i === at || /\s/.test(src[i - 1] ?? "")))
      return { value, end: lineEnd(src, i) };
    if (c === "'") {
      const close = src.indexOf("'", i + 1);
      if (close === -1) throw new UsageError(`.env line ${line}: unterminated single quote`);
      value += src.slice(i + 1, close);
      i = close + 1;
    } else if (c === '"') {
      const r = doubleQuoted(src, i + 1, line);
      value += r.value;
      i = r.end + 1;
    } else if (c === "\\" && src[i + 1] !== undefined) {
      value += src[i + 1];
      i += 2;
    } else if (c === " " || c === "\t") {
      // Trailing blanks end a bare value; anything but a comment after them is an error.
      const rest = src.slice(i, lineEnd(src, i)).trim();
      if (rest !== "" && !rest.startsWith("#")) {
        throw new UsageError(`.env line ${line}: unquoted value contains a space`);
      }
      return { value, end: lineEnd(src, i) };
    } else {
      value += c;
      i++;
    }
  }
}

const ESCAPES: Record<string, string> = { n: "\n", r: "\r", t: "\t", '"': '"', "\\": "\\", $: "$" };

function doubleQuoted(src: string, at: number, line: number): { value: string; end: number } {
  let value = "";
  for (let i = at; i < src.length; i++) {
    const c = src[i] as string;
    if (c === '"') return { value, end: i };
    if (c === "\\" && i + 1 < src.length) {
      const next = src[i + 1] as string;
      value += ESCAPES[next] ?? `\\${next}`;
      i++;
    } else value += c;
  }
  throw new UsageError(`.env line ${line}: unterminated double quote`);
}

function lineEnd(src: string, i: number): number {
  const end = src.indexOf("\n", i);
  return end === -1 ? src.length : end;
}

function countNewlines(text: string): number {
  return text.split("\n").length - 1;
}

export function formatJson(pairs: readonly Pair[]): string {
  return `${JSON.stringify(Object.fromEntries(pairs.map((p) => [p.name, p.value])), null, 2)}\n`;
}

export function parseJson(text: string): Pair[] {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    throw new UsageError("import: not valid JSON");
  }
  if (typeof data !== "object" || data === null || Array.isArray(data)) {
    throw new UsageError(
      'import: JSON must be an object of names to strings, e.g. {"NAME":"value"}',
    );
  }
  return Object.entries(data).map(([name, value]) => {
    if (typeof value !== "string")
      throw new UsageError(`import: the value of ${name} is not a string`);
    return { name, value };
  });
}
