// stdout and stderr written with writeSync on fds 1 and 2. Creating
// process.stdout (Node's stream machinery) costs ~10 ms at start-up on the
// compiled binary, measured: every command would pay it (docs/benchmarks.md).
// node:fs itself costs ~0.7 ms to load there, so it is required on the first
// write, and `--version` writes its one line without it (writeOnce).

import { isatty } from "./isatty.ts";

let writeSync: typeof import("node:fs").writeSync | undefined;

export interface FdStream {
  write(data: string | Uint8Array): boolean;
  readonly isTTY: boolean;
}

let encoder: TextEncoder | undefined;

/** Writes everything to `fd`; after a failure (told to `onError` once) further writes are dropped. */
export function fdStream(fd: number, onError: (err: NodeJS.ErrnoException) => void): FdStream {
  let broken = false;
  let tty: boolean | undefined;
  return {
    write(data) {
      if (broken) return false;
      // TextEncoder, not Buffer.from: its first use costs ~0.1 ms less at start-up.
      encoder ??= new TextEncoder();
      const bytes = typeof data === "string" ? encoder.encode(data) : data;
      for (let off = 0; off < bytes.length; ) {
        try {
          writeSync ??= (require("node:fs") as typeof import("node:fs")).writeSync;
          off += writeSync(fd, bytes, off);
        } catch (err) {
          const e = err as NodeJS.ErrnoException;
          // A non-blocking descriptor that is full for now: wait for the reader.
          if (e.code === "EAGAIN") {
            Bun.sleepSync(1);
            continue;
          }
          broken = true;
          onError(e);
          return false;
        }
      }
      return true;
    },
    get isTTY() {
      tty ??= isatty(fd);
      return tty;
    },
  };
}

let failure: string | undefined;

/** Whether writing to stdout failed (other than a closed pipe): the CLI then exits 7. */
export function stdoutFailed(): boolean {
  return failure !== undefined;
}

export interface Streams {
  stdout: { write(text: string): unknown; isTTY?: boolean };
  stderr: { write(text: string): unknown; isTTY?: boolean };
}

// stderr failing (closed, /dev/full): nowhere left to report it, and the command's
// work may be done (a secret stored), so the exit code stays the command's own.
const stderr = fdStream(2, () => {});

/**
 * stdout failing under us: a reader that went away (`coffer queue list q | head -1`)
 * is not an error, so the rest is dropped and the command finishes normally,
 * closing the store; any other failure (a full disk) is reported and is exit 7.
 */
const stdout = fdStream(1, stdoutError);

function stdoutError(err: NodeJS.ErrnoException): void {
  if (err.code === "EPIPE") return;
  failure = err.code ?? err.message;
  stderr.write(`coffer: error: write to stdout: ${failure}\n`);
}

let streams: Streams = { stdout, stderr };

/** Tests and in-process command runs swap the streams. */
export function setStreams(next: Streams): void {
  streams = next;
}

export function getStreams(): Streams {
  return streams;
}

/**
 * Writes `text` to stdout as the whole of a command's output, failing as the
 * stream would (EPIPE quiet, anything else reported and exit 7) but without
 * loading node:fs: Bun.write on fd 1 costs nothing at start-up.
 */
export async function writeOnce(text: string): Promise<void> {
  if (streams.stdout !== stdout) {
    streams.stdout.write(text);
    return;
  }
  try {
    await Bun.write(Bun.stdout, text);
  } catch (err) {
    stdoutError(err as NodeJS.ErrnoException);
  }
}
