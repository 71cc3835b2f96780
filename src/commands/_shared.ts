// Helpers the commands share: reading stdin (bounded), parsing ids, JSON or table output.

import { context } from "../cli/context.ts";
import { isatty } from "../cli/isatty.ts";
import { printJson } from "../cli/output.ts";
import { UsageError } from "../errors.ts";
import { decodeUtf8, readLimited } from "../input/read-limited.ts";

export function wantsJson(): boolean {
  return context().globals.json;
}

/** Prints `value` as JSON with --json, else runs the human formatter. */
export function output(value: unknown, human: () => void): void {
  if (wantsJson()) printJson(value);
  else human();
}

export function parseJobId(value: string | undefined): number {
  if (
    value === undefined ||
    !/^\d+$/.test(value) ||
    !Number.isSafeInteger(Number(value)) ||
    Number(value) < 1
  ) {
    throw new UsageError(`job id must be a positive integer, got '${value ?? ""}'`);
  }
  return Number(value);
}

export function parseJsonArg(text: string, what: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw new UsageError(`${what} is not valid JSON`, { hint: `quote it, e.g. '{"task":"x"}'` });
  }
}

/** All of stdin, refused (exit 2) once it passes `limit`; a pipe may take as long as it needs. */
export function readStdin(limit: number, what: string, slack = 0): Uint8Array {
  return readLimited({ fd: 0 }, { limit, slack, what, timeoutMs: Number.POSITIVE_INFINITY });
}

/** Stdin as strict UTF-8 text (invalid bytes are refused, not replaced). */
export function readStdinText(limit: number, what: string): string {
  return decodeUtf8(readStdin(limit, what), { what });
}

export function stdinIsTerminal(): boolean {
  // isatty, not process.stdin: creating that stream could start reading stdin under us.
  return isatty(0);
}
