// Every limit on what coffer reads, in one place (the README's "Limits" table
// lists the same numbers): sizes are checked while reading, never after.

const KiB = 1024;
const MiB = 1024 * KiB;

/** The most bytes each kind of input may hold. */
export const LIMITS = {
  passphrase: 64 * KiB,
  secretValue: 1 * MiB,
  importFile: 16 * MiB,
  jobPayload: 1 * MiB,
  messageContent: 4 * MiB,
  configFile: 1 * MiB,
} as const;

/** A passphrase source or input file that gives nothing for this long is refused. */
export const INPUT_TIMEOUT_MS = 10_000;

/** SQLite's json_valid() refuses deeper nesting, so we refuse it first, with a clear message. */
export const MAX_JSON_DEPTH = 1000;

/** "64 KiB", "1 MiB": how limits are named in messages. */
export function formatLimit(bytes: number): string {
  if (bytes % MiB === 0) return `${bytes / MiB} MiB`;
  if (bytes % KiB === 0) return `${bytes / KiB} KiB`;
  return `${bytes} bytes`;
}
