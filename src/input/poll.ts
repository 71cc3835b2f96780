// Waits until a descriptor can be read without blocking, with a timeout.
// node:fs cannot wait on a pipe with a deadline, so this calls poll(2) through bun:ffi.

import { dlopen, FFIType, ptr } from "bun:ffi";

const POLLIN = 0x1;
const LIBC = ["libc.so.6", "libc.so", "libSystem.B.dylib", "libc.so.7"];

type PollFn = (fds: number, nfds: number, timeout: number) => number;
let pollFn: PollFn | null | undefined;

function loadPoll(): PollFn | null {
  for (const name of LIBC) {
    try {
      const lib = dlopen(name, {
        poll: { args: [FFIType.ptr, FFIType.u64, FFIType.i32], returns: FFIType.i32 },
      });
      return lib.symbols.poll as unknown as PollFn;
    } catch {
      // not this platform's libc: try the next name
    }
  }
  return null;
}

/** True when poll(2) is available here; without it, readers fall back to short sleeps. */
export function canPoll(): boolean {
  pollFn ??= loadPoll();
  return pollFn !== null;
}

/**
 * "ready" once `fd` has data, end of file or an error to report (a read will
 * not block), "timeout" after `ms`, "unsupported" when poll(2) cannot be called.
 */
export function pollReadable(fd: number, ms: number): "ready" | "timeout" | "unsupported" {
  if (!canPoll()) return "unsupported";
  // struct pollfd { int fd; short events; short revents; } on Linux and macOS alike.
  // Typed arrays use the machine's byte order, as the kernel does.
  const entry = new Int32Array(2);
  const shorts = new Int16Array(entry.buffer);
  entry[0] = fd;
  shorts[2] = POLLIN;
  const n = (pollFn as PollFn)(ptr(entry) as unknown as number, 1, Math.max(0, Math.floor(ms)));
  // -1 is EINTR (a signal) or a bad fd; the caller retries or its read reports the error.
  return n > 0 && shorts[3] !== 0 ? "ready" : "timeout";
}
