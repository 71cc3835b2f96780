// The one reader for stdin, files and descriptors: it stops at its limit while
// reading, and gives up on a pipe or FIFO that stays silent past its timeout.

import { closeSync, constants, fstatSync, openSync, readSync, type Stats } from "node:fs";
import { type CofferError, UsageError } from "../errors.ts";
import { fsError } from "../store/files.ts";
import { formatLimit } from "./limits.ts";
import { canPoll, pollReadable } from "./poll.ts";

export type InputSource = { path: string } | { fd: number };

export interface ReadLimits {
  /** Most bytes accepted; one more read means the input is refused. */
  limit: number;
  /** Bytes allowed past `limit` for what the caller strips (a trailing newline); not named. */
  slack?: number;
  /** Names the input in messages: "the passphrase from --passphrase-file". */
  what: string;
  /** How long a pipe or FIFO may stay silent; Infinity waits as long as it takes (stdin). */
  timeoutMs: number;
  /** The error a refusal raises: UsageError (exit 2) unless told otherwise. */
  refuse?: (message: string, hint?: string) => CofferError;
}

const FIRST_CHUNK = 64 * 1024;
const FALLBACK_SLEEP_MS = 10;

/**
 * Every byte of the input, at most `limit` of them. A path is opened with
 * O_NONBLOCK, so a FIFO without a writer cannot block the open; errors from
 * open(2) itself (ENOENT…) are thrown as they are, for the caller to name.
 */
export function readLimited(source: InputSource, limits: ReadLimits): Uint8Array {
  const byPath = "path" in source;
  const fd = byPath ? openSync(source.path, constants.O_RDONLY | constants.O_NONBLOCK) : source.fd;
  try {
    return readFrom(fd, statOf(fd, limits), byPath, limits);
  } finally {
    if (byPath) closeSync(fd);
  }
}

/** Strict UTF-8: a lossy decode would turn different bytes into the same text. */
export function decodeUtf8(bytes: Uint8Array, limits: Pick<ReadLimits, "what" | "refuse">): string {
  try {
    return new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    throw refusal(limits, `${limits.what} is not valid UTF-8 text`);
  }
}

function statOf(fd: number, limits: ReadLimits): Stats {
  let stat: Stats;
  try {
    stat = fstatSync(fd);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "EBADF") {
      throw refusal(limits, `${limits.what}: the descriptor is not open`);
    }
    throw fsError("read", limits.what, err);
  }
  // Anything else (a directory, the runtime's own epoll or eventfd) is not an input.
  if (!(stat.isFile() || stat.isFIFO() || stat.isSocket() || stat.isCharacterDevice())) {
    throw refusal(limits, `${limits.what} is not a file, pipe, socket or terminal`);
  }
  return stat;
}

function readFrom(fd: number, stat: Stats, byPath: boolean, limits: ReadLimits): Uint8Array {
  const max = limits.limit + (limits.slack ?? 0);
  let buffer = new Uint8Array(Math.min(FIRST_CHUNK, max + 1));
  let total = 0;
  const waits = !stat.isFile();
  // Without poll(2), a FIFO opened before its writer reads as empty: keep trying until one writes.
  const noWriterYet = byPath && stat.isFIFO() && !canPoll();
  let deadline = performance.now() + limits.timeoutMs;
  for (;;) {
    if (waits && !waitReadable(fd, deadline)) throw silent(limits);
    if (buffer.length === total) buffer = grow(buffer, max + 1);
    const n = readChunk(fd, buffer, total, limits);
    if (n === "again" || (n === 0 && total === 0 && noWriterYet)) {
      if (!canPoll()) nap(deadline, limits);
      continue;
    }
    if (n === 0) return buffer.subarray(0, total);
    total += n;
    if (total > max) {
      throw refusal(limits, `${limits.what} is over the ${formatLimit(limits.limit)} limit`);
    }
    deadline = performance.now() + limits.timeoutMs;
  }
}

/** False once `deadline` passed with nothing to read; true when a read will not block. */
function waitReadable(fd: number, deadline: number): boolean {
  for (;;) {
    const left = deadline - performance.now();
    if (left <= 0) return false;
    // Slices of a second: an EINTR or a huge timeout never turns into a lost deadline.
    const state = pollReadable(fd, Math.min(left, 1000));
    if (state !== "timeout") return true;
  }
}

function readChunk(
  fd: number,
  buffer: Uint8Array,
  at: number,
  limits: ReadLimits,
): number | "again" {
  try {
    return readSync(fd, buffer, at, buffer.length - at, null);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === "EAGAIN" || code === "EWOULDBLOCK" || code === "EINTR") return "again";
    throw fsError("read", limits.what, err);
  }
}

function nap(deadline: number, limits: ReadLimits): void {
  if (performance.now() >= deadline) throw silent(limits);
  Bun.sleepSync(FALLBACK_SLEEP_MS);
}

function grow(buffer: Uint8Array<ArrayBuffer>, max: number): Uint8Array<ArrayBuffer> {
  const next = new Uint8Array(Math.min(buffer.length * 2, max));
  next.set(buffer);
  return next;
}

function silent(limits: ReadLimits): CofferError {
  const seconds = limits.timeoutMs / 1000;
  return refusal(
    limits,
    `${limits.what} gave no input for ${seconds} s`,
    "is anything writing to it?",
  );
}

function refusal(limits: Pick<ReadLimits, "refuse">, message: string, hint?: string): CofferError {
  return limits.refuse ? limits.refuse(message, hint) : new UsageError(message, { hint });
}
