// Keeps a process that holds vault keys from writing a core dump: RLIMIT_CORE
// 0 on Linux and macOS, and on Linux also PR_SET_DUMPABLE 0 (through bun:ffi).

import { dlopen, FFIType, type Pointer, ptr } from "bun:ffi";
import { platform } from "node:os";

/** applied: in force; unsupported: no such call on this platform; failed: the calls did not work. */
export type CoreDumpGuard = "applied" | "unsupported" | "failed";

/** The same number on Linux and macOS. */
const RLIMIT_CORE = 4;
/** Linux only: 0 also makes /proc/PID/* root-owned and refuses ptrace by the same user. */
const PR_SET_DUMPABLE = 4;

const LIBC: Partial<Record<NodeJS.Platform, readonly string[]>> = {
  linux: ["libc.so.6", "libc.so"],
  // No PT_DENY_ATTACH: task_for_pid on macOS already takes root or a debugging entitlement.
  darwin: ["/usr/lib/libSystem.B.dylib"],
};

let guard: CoreDumpGuard | undefined;

/**
 * Idempotent; called before any key material exists (deriveKey, and the CLI
 * before it reads a passphrase). Elsewhere (Windows, the BSDs) a documented
 * no-op. The hard limit is left alone, so a child of `coffer run` may raise
 * its soft limit again; PR_SET_DUMPABLE is reset by the child's execve.
 */
export function forbidCoreDumps(): CoreDumpGuard {
  guard ??= apply(platform());
  return guard;
}

function apply(platform: NodeJS.Platform): CoreDumpGuard {
  const names = LIBC[platform];
  if (!names) return "unsupported";
  const libc = openLibc(names, platform === "linux");
  if (!libc) return "failed";
  try {
    const limit = new BigUint64Array(2); // struct rlimit { rlim_cur, rlim_max }
    if (libc.getrlimit(RLIMIT_CORE, ptr(limit)) !== 0) return "failed";
    limit[0] = 0n;
    if (libc.setrlimit(RLIMIT_CORE, ptr(limit)) !== 0) return "failed";
    if (platform === "linux" && libc.prctl?.(PR_SET_DUMPABLE, 0, 0, 0, 0) !== 0) {
      return "failed";
    }
    return "applied";
  } finally {
    libc.close();
  }
}

interface Libc {
  getrlimit(resource: number, limit: Pointer): number;
  setrlimit(resource: number, limit: Pointer): number;
  prctl?: (option: number, a: number, b: number, c: number, d: number) => number;
  close(): void;
}

function openLibc(names: readonly string[], withPrctl: boolean): Libc | undefined {
  for (const name of names) {
    try {
      return withPrctl ? openLinux(name) : openDarwin(name);
    } catch {
      // Not this name (musl, a minimal image): try the next one.
    }
  }
  return undefined;
}

const RLIMIT_CALL = { args: [FFIType.i32, FFIType.ptr], returns: FFIType.i32 } as const;

function openDarwin(name: string): Libc {
  const lib = dlopen(name, { getrlimit: RLIMIT_CALL, setrlimit: RLIMIT_CALL });
  return { ...lib.symbols, close: () => lib.close() };
}

function openLinux(name: string): Libc {
  const lib = dlopen(name, {
    getrlimit: RLIMIT_CALL,
    setrlimit: RLIMIT_CALL,
    // Variadic in C; five integer arguments pass the same way on x86-64 and arm64 Linux.
    prctl: {
      args: [FFIType.i32, FFIType.u64, FFIType.u64, FFIType.u64, FFIType.u64],
      returns: FFIType.i32,
    },
  });
  return { ...lib.symbols, close: () => lib.close() };
}
