// Byte copies between open files, yielding to the event loop every 16 MiB so
// that progress is reported, an abort is noticed, and flushes can overlap.

import { fdatasync, fsyncSync, readSync, writeSync } from "node:fs";
import { IntegrityError, IoError } from "../errors.ts";
import { asIoError, ioStep } from "./io-error.ts";
import { setRollbackJournal } from "./sqlite-header.ts";

// 1 MiB: a steady ~160 ms for 550 MiB here, where 4 MiB buffers took 160-1100 ms
// from run to run (and 256 KiB ~180 ms).
const CHUNK_BYTES = 1 << 20;
/** Progress, abort and flushes are looked at every this many bytes. */
const STEP_BYTES = 16 << 20;

export type CopyProgress = (bytesDone: number, bytesTotal: number) => void;

/** Copies bytes [0, length) of `from` to the same offsets of `to`. */
export interface CopyOptions {
  onProgress?: CopyProgress | undefined;
  signal?: AbortSignal | undefined;
  /** Asked every 16 MiB: flush what was written so far (see below)? */
  flushWhile?: (() => boolean) | undefined;
  /** The files' names in I/O errors (EIO, ENOSPC: exit 7); default "source" and "copy". */
  names?: { from: string; to: string } | undefined;
}

export async function copyPrefix(
  from: number,
  to: number,
  length: number,
  options: CopyOptions = {},
): Promise<void> {
  const { onProgress, signal, flushWhile } = options;
  const names = options.names ?? { from: "source", to: "copy" };
  const buf = Buffer.allocUnsafe(Math.min(CHUNK_BYTES, Math.max(length, 1)));
  let done = 0;
  let stepped = 0;
  let flushing: Promise<void> | undefined;
  while (done < length) {
    const n = ioStep("read", names.from, () =>
      readSync(from, buf, 0, Math.min(buf.length, length - done), done),
    );
    if (n <= 0) throw new IntegrityError(`the store file ended after ${done} of ${length} bytes`);
    ioStep("write", names.to, () => {
      for (let written = 0; written < n; ) {
        written += writeSync(to, buf, written, n - written, done + written);
      }
    });
    done += n;
    // While other processes write, flushing as we go keeps dirty pages few: one
    // large flush at the end stalled a full-speed writer ~260 ms on a 550 MiB
    // store; every 16 MiB, <50 ms. Idle, it only slows the copy (~2x), so the
    // caller says when. One flush runs in the background during the next chunks.
    if (done - stepped < STEP_BYTES && done < length) continue;
    stepped = done;
    if (flushWhile?.()) {
      await flushing;
      flushing = flush(to).catch((err) => {
        throw asIoError(err, "write", names.to);
      });
    }
    onProgress?.(done, length);
    await new Promise((resolve) => setImmediate(resolve));
    throwIfAborted(signal);
  }
  await flushing;
}

/** Marks a finished copy self-contained (rollback journal) and syncs it; errors name `name`. */
export function sealCopy(fd: number, name: string): void {
  ioStep("write", name, () => {
    setRollbackJournal(fd);
    fsyncSync(fd);
  });
}

function flush(fd: number): Promise<void> {
  return new Promise((resolve, reject) => fdatasync(fd, (err) => (err ? reject(err) : resolve())));
}

export function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted)
    throw new IoError("interrupted; nothing was written", { cause: signal.reason });
}
