// Removes the plaintext [secrets] table from the config file once its values
// are in the vault: text-level, checked by re-parsing, replaced atomically.

import { closeSync, fsyncSync, openSync, renameSync, rmSync, writeSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import { FILE_MODE, fsError, fsyncPath } from "./store/files.ts";

const TABLE_HEADER = /^\s*\[/;
const SECRETS_HEADER = /^\s*\[\s*secrets\s*\]\s*(#.*)?$/;
const SECRETS_INLINE = /^\s*secrets\s*=\s*\{.*\}\s*(#.*)?$/;

/**
 * The config text without its secrets table, or undefined when that cannot
 * be done safely (the rest must parse to exactly what it was).
 */
export function withoutSecrets(text: string): string | undefined {
  const kept: string[] = [];
  let inSecrets = false;
  let openString: string | undefined; // inside a multi-line """ or ''' string
  for (const line of text.split("\n")) {
    if (openString === undefined) {
      if (SECRETS_HEADER.test(line)) inSecrets = true;
      else if (TABLE_HEADER.test(line)) inSecrets = false;
    }
    openString = multilineState(line, openString);
    if (!inSecrets && !SECRETS_INLINE.test(line)) kept.push(line);
  }
  const result = kept.join("\n");
  return sameExceptSecrets(text, result) ? result : undefined;
}

/** Tracks whether a line leaves a multi-line string open; the re-parse check catches what this misses. */
function multilineState(line: string, open: string | undefined): string | undefined {
  let state = open;
  for (const match of line.matchAll(/"""|'''/g)) {
    if (state === undefined) state = match[0];
    else if (state === match[0]) state = undefined;
  }
  return state;
}

function sameExceptSecrets(before: string, after: string): boolean {
  try {
    const { secrets: _, ...rest } = Bun.TOML.parse(before) as Record<string, unknown>;
    const parsed = Bun.TOML.parse(after) as Record<string, unknown>;
    return !("secrets" in parsed) && Bun.deepEquals(rest, parsed, true);
  } catch {
    return false;
  }
}

/** Replaces `path` with `text`: a 0600 temp file beside it, fsynced, renamed, directory fsynced. */
export function replaceFileAtomically(path: string, text: string): void {
  const temp = join(dirname(path), `.${basename(path)}.${process.pid}.tmp`);
  let created = false;
  try {
    const fd = openSync(temp, "wx", FILE_MODE);
    created = true;
    try {
      writeSync(fd, text);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(temp, path);
    created = false;
    fsyncPath(dirname(path));
  } catch (err) {
    // Only ever remove our own temp file, never something already at that name.
    if (created) rmSync(temp, { force: true });
    throw fsError("rewrite", path, err);
  }
}
