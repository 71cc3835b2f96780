// The one path to the user's eyes: errors, hints, warnings and notes go
// through one consola logger whose reporter writes them as age does
// (`coffer: error: …`); tables and lines for people are printed here too.
// All of it goes through humanText (redacted, control characters escaped);
// data (printJson, `secret get`, `export`) is written exactly.
//
// consola/core, not the full consola: its fancy reporters cost ~7 ms of start-up
// on every command (measured on the compiled binary), and the line format is fixed.

import { type ConsolaInstance, createConsola, type LogObject } from "consola/core";
import { Redactor } from "../redact.ts";
import { getStreams, type Streams, setStreams } from "./fd-stream.ts";
import { escapeControl } from "./terminal-text.ts";

/** The CLI's one redactor: the vault commands register every value they load. */
export const redactor = new Redactor();

/** What every human-readable line becomes: secrets masked, then control characters escaped. */
export function humanText(text: string): string {
  return escapeControl(redactor.redact(text));
}

export { getStreams, type Streams, setStreams };

const PREFIX: Record<string, string> = { error: "error: ", fatal: "error: ", warn: "warning: " };

function report(entry: LogObject): void {
  const prefix = entry.tag === "hint" ? "hint: " : (PREFIX[entry.type] ?? "");
  const text = humanText(entry.args.map(String).join(" ").replace(/\r?\n/g, " "));
  getStreams().stderr.write(`coffer: ${prefix}${text}\n`);
}

let logger: ConsolaInstance | undefined;
let hints: ConsolaInstance | undefined;

/** Made on the first message: most commands print none, and making it costs ~0.3 ms of start-up. */
function log(): ConsolaInstance {
  // throttle 0: a repeated message is the user's to see each time, not folded into "(repeated)".
  logger ??= createConsola({ reporters: [{ log: report }], throttle: 0 });
  return logger;
}

function hintLog(): ConsolaInstance {
  hints ??= log().withTag("hint");
  return hints;
}

export const say = {
  error: (message: string) => log().error(message),
  hint: (message: string) => hintLog().info(message),
  warn: (message: string) => log().warn(message),
  info: (message: string) => log().info(message),
  /** Multi-line diagnostics (stacks under --verbose), redacted and escaped line by line. */
  raw: (text: string) =>
    getStreams().stderr.write(`${text.split("\n").map(humanText).join("\n")}\n`),
  /** A line of its own on stderr, no `coffer:` prefix (backup and restore summaries). */
  line: (text: string) => getStreams().stderr.write(`${humanText(text)}\n`),
};

/**
 * What other code prints through `console` (coffer itself never does; Bun's
 * bun:sql warns through it when a LISTEN connection drops) becomes coffer's
 * own lines: on stderr, never stdout, which carries data only; redacted,
 * control characters escaped, one line each; `coffer: warning: …` for
 * warnings and errors.
 */
export function routeConsole(target: Console = console): void {
  const text = (args: unknown[]) => args.map(consoleArg).join(" ");
  const warn = (...args: unknown[]) => say.warn(text(args));
  const info = (...args: unknown[]) => say.info(text(args));
  Object.assign(target, { warn, error: warn, trace: warn, log: info, info, debug: info });
}

/** One console argument as text: an error by its message (a stack trace is not for the user). */
function consoleArg(arg: unknown): string {
  if (typeof arg === "string") return arg;
  if (arg instanceof Error) return arg.message;
  try {
    return JSON.stringify(arg) ?? String(arg);
  } catch {
    return String(arg); // a cycle, a BigInt
  }
}

/** Writes data to stdout: JSON documents get one trailing newline. */
export function printJson(value: unknown): void {
  getStreams().stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}

/** Writes lines for people to stdout, each through humanText (a newline inside one is escaped). */
export function printLines(lines: readonly string[]): void {
  writeLines(lines.map(humanText));
}

function writeLines(lines: readonly string[]): void {
  if (lines.length > 0) getStreams().stdout.write(`${lines.join("\n")}\n`);
}

/** Renders rows as aligned columns, with a header; cells go through humanText first. */
export function printTable(header: readonly string[], cells: readonly (readonly string[])[]): void {
  const rows = cells.map((r) => r.map(humanText));
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? "").length)));
  const fmt = (cells: readonly string[]) =>
    cells
      .map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i] ?? 0)))
      .join("  ")
      .trimEnd();
  writeLines([fmt(header), ...rows.map(fmt)]);
}

export function isoTime(ms: number | null): string {
  return ms === null ? "-" : new Date(ms).toISOString();
}
