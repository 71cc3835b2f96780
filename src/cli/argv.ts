// Global flags may stand anywhere before `--`: they are taken out here so
// that citty only ever sees a command's own arguments.

import { UsageError } from "../errors.ts";

export interface Globals {
  db?: string | undefined;
  config?: string | undefined;
  json: boolean;
  verbose: boolean;
  version: boolean;
}

const VALUE_FLAGS = { "--db": "db", "--config": "config" } as const;
const BOOLEAN_FLAGS = { "--json": "json", "--verbose": "verbose", "--version": "version" } as const;

export function extractGlobals(argv: readonly string[]): { globals: Globals; rest: string[] } {
  const globals: Globals = { json: false, verbose: false, version: false };
  const rest: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const token = argv[i] as string;
    if (token === "--") {
      rest.push(...argv.slice(i));
      break;
    }
    const [name, inline] = splitFlag(token);
    if (name in VALUE_FLAGS) {
      const key = VALUE_FLAGS[name as keyof typeof VALUE_FLAGS];
      const value = inline ?? argv[++i];
      if (value === undefined || value === "" || (inline === undefined && value.startsWith("--"))) {
        throw new UsageError(`${name} needs a value`);
      }
      globals[key] = value;
    } else if (name === "--version" && inline === undefined && /^\d+$/.test(argv[i + 1] ?? "")) {
      // `secret get NAME --version 2` is that command's flag, not the global one.
      rest.push(token);
    } else if (name in BOOLEAN_FLAGS && inline === undefined) {
      globals[BOOLEAN_FLAGS[name as keyof typeof BOOLEAN_FLAGS]] = true;
    } else {
      rest.push(token);
    }
  }
  return { globals, rest };
}

function splitFlag(token: string): [string, string | undefined] {
  if (!token.startsWith("--")) return [token, undefined];
  const eq = token.indexOf("=");
  return eq === -1 ? [token, undefined] : [token.slice(0, eq), token.slice(eq + 1)];
}

/** Parses an integer flag value strictly: "10" yes, "10x", "1e3" and "" no. */
export function parseIntFlag(
  value: string | undefined,
  flag: string,
  min = 0,
  max = Number.MAX_SAFE_INTEGER,
): number | undefined {
  if (value === undefined) return undefined;
  if (!/^-?\d+$/.test(value)) throw new UsageError(`${flag} must be an integer, got '${value}'`);
  const n = Number(value);
  if (!Number.isSafeInteger(n) || n < min || n > max) {
    throw new UsageError(`${flag} must be from ${min} to ${max}, got ${value}`);
  }
  return n;
}

const UNITS: Record<string, number> = {
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
  w: 604_800_000,
};

/** Parses "500ms", "30s", "15m", "12h", "7d", "2w" (or bare milliseconds) to milliseconds. */
export function parseDuration(value: string, flag: string): number {
  const match = /^(\d+)(ms|s|m|h|d|w)?$/.exec(value.trim());
  if (!match) {
    throw new UsageError(`${flag} must be a duration such as 30s, 15m, 12h or 7d, got '${value}'`);
  }
  const n = Number(match[1]) * (UNITS[match[2] ?? "ms"] ?? 1);
  if (!Number.isSafeInteger(n)) throw new UsageError(`${flag} is too large`);
  return n;
}
