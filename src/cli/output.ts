// The one path to the user's eyes on stderr: errors, hints, warnings and
// notes, each redacted first. stdout carries data only (see printData).

import { redactor } from "../redact.ts";

export interface Streams {
  stdout: { write(text: string): unknown; isTTY?: boolean };
  stderr: { write(text: string): unknown; isTTY?: boolean };
}

let streams: Streams = { stdout: process.stdout, stderr: process.stderr };

/** Tests and in-process command runs swap the streams. */
export function setStreams(next: Streams): void {
  streams = next;
}

export function getStreams(): Streams {
  return streams;
}

function line(prefix: string, message: string): void {
  const text = redactor.redact(message).replace(/\r?\n/g, " ");
  streams.stderr.write(`coffer: ${prefix}${text}\n`);
}

export const say = {
  error: (message: string) => line("error: ", message),
  hint: (message: string) => line("hint: ", message),
  warn: (message: string) => line("warning: ", message),
  info: (message: string) => line("", message),
  /** Multi-line diagnostics (stacks under --verbose), redacted but not folded. */
  raw: (text: string) => streams.stderr.write(`${redactor.redact(text)}\n`),
};

/** Writes data to stdout: JSON documents get one trailing newline. */
export function printJson(value: unknown): void {
  streams.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}

export function printLines(lines: readonly string[]): void {
  if (lines.length > 0) streams.stdout.write(`${lines.join("\n")}\n`);
}

/** Renders rows as aligned columns, with a header. */
export function printTable(header: readonly string[], rows: readonly (readonly string[])[]): void {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? "").length)));
  const fmt = (cells: readonly string[]) =>
    cells
      .map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i] ?? 0)))
      .join("  ")
      .trimEnd();
  printLines([fmt(header), ...rows.map(fmt)]);
}

export function isoTime(ms: number | null): string {
  return ms === null ? "-" : new Date(ms).toISOString();
}
