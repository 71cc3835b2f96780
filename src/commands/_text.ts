// Text the agent-model commands read: an argument, a file or stdin (`-`),
// strictly UTF-8 and byte-exact (a BOM is kept); metadata JSON; ids.

import { isatty } from "node:tty";
import { parseDuration } from "../cli/argv.ts";
import { IoError, NotFoundError, UsageError } from "../errors.ts";
import { readLimited } from "../input/read-limited.ts";
import type { Json } from "../state/json.ts";
import { parseJsonArg } from "./_shared.ts";

/** Large enough for any document, message or exported session coffer keeps. */
export const TEXT_LIMIT = 4 * 1024 * 1024;

function strictUtf8(bytes: Uint8Array, what: string): string {
  try {
    return new TextDecoder("utf-8", { fatal: true, ignoreBOM: true }).decode(bytes);
  } catch {
    throw new UsageError(`${what} is not valid UTF-8 text`);
  }
}

/** CONTENT as given, or stdin for `-` (or nothing, when stdin is not a terminal). */
export function argOrStdin(arg: string | undefined, what: string, limit = TEXT_LIMIT): string {
  if (arg !== undefined && arg !== "-") {
    // argv reaches us decoded, invalid bytes as U+FFFD: refuse rather than store a guess.
    if (arg.includes("\uFFFD")) {
      throw new UsageError(`the ${what} argument is not valid UTF-8 text`, {
        hint: "pipe it in with - instead",
      });
    }
    return arg;
  }
  return stdinText(arg === "-", what, limit);
}

/** FILE's text, or stdin for `-` (or nothing, when stdin is not a terminal). */
export function fileOrStdin(path: string | undefined, what: string, limit = TEXT_LIMIT): string {
  if (path === undefined || path === "-") return stdinText(path === "-", what, limit);
  let bytes: Uint8Array;
  try {
    bytes = readLimited({ path }, { limit, what, timeoutMs: 10_000 });
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === "ENOENT") throw new NotFoundError(`no file ${path}`);
    if (code === "EACCES" || code === "EISDIR") throw new IoError(`cannot read ${path} (${code})`);
    throw err;
  }
  return strictUtf8(bytes, what);
}

function stdinText(explicit: boolean, what: string, limit: number): string {
  if (!explicit && isatty(0)) {
    throw new UsageError(`no ${what} given`, {
      hint: "pass it as an argument, or pipe it in with -",
    });
  }
  const bytes = readLimited(
    { fd: 0 },
    { limit, what: `the ${what} on stdin`, timeoutMs: Number.POSITIVE_INFINITY },
  );
  return strictUtf8(bytes, `the ${what} on stdin`);
}

export function metadataFlag(text: string | undefined, flag = "--metadata"): Json | undefined {
  return text === undefined ? undefined : (parseJsonArg(text, flag) as Json);
}

export function durationFlag(text: string | undefined, flag: string): number | undefined {
  if (text === undefined) return undefined;
  const ms = parseDuration(text, flag);
  if (ms < 1) throw new UsageError(`${flag} must be longer than 0`);
  return ms;
}

export function messageId(value: string | undefined, what = "message id"): number {
  if (value === undefined || !/^\d{1,15}$/.test(value) || Number(value) < 1) {
    throw new UsageError(`${what} must be a positive integer, got '${value ?? ""}'`);
  }
  return Number(value);
}

/** Every value of a repeatable flag in the command's argv (citty keeps only the last). */
export function repeated(rawArgs: readonly string[], flag: string): string[] {
  const out: string[] = [];
  for (let i = 0; i < rawArgs.length; i++) {
    const token = rawArgs[i] as string;
    if (token === "--") break;
    if (token === flag && i + 1 < rawArgs.length) out.push(rawArgs[++i] as string);
    else if (token.startsWith(`${flag}=`)) out.push(token.slice(flag.length + 1));
  }
  return out;
}

/** `--where KEY=VALUE` flags as a map; a bad one is exit 2. */
export function whereFlags(rawArgs: readonly string[]): Record<string, string> | undefined {
  const items = repeated(rawArgs, "--where");
  if (items.length === 0) return undefined;
  const out: Record<string, string> = {};
  for (const item of items) {
    const eq = item.indexOf("=");
    if (eq < 1) throw new UsageError(`--where must be KEY=VALUE, got '${item.slice(0, 64)}'`);
    out[item.slice(0, eq)] = item.slice(eq + 1);
  }
  return out;
}
