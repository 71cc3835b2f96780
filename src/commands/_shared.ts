// Helpers the commands share: reading stdin, parsing ids, JSON or table output.

import { context } from "../cli/context.ts";
import { printJson } from "../cli/output.ts";
import { UsageError } from "../errors.ts";

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

export async function readStdinText(): Promise<string> {
  return await Bun.stdin.text();
}

export function stdinIsTerminal(): boolean {
  return Boolean(process.stdin.isTTY);
}
