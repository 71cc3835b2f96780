// What an errno (EIO, ENOSPC, EACCES…) from a Node/Bun file-system call means,
// in words, and the IoError (exit 7) it becomes.

import { IoError } from "../errors.ts";

const REASONS: Record<string, string> = {
  EIO: "input/output error",
  ENOSPC: "no space left on device",
  EDQUOT: "disk quota exceeded",
  EFBIG: "file too large",
  EACCES: "permission denied",
  EPERM: "operation not permitted",
  EROFS: "read-only file system",
  EISDIR: "is a directory",
  ENOTDIR: "a parent is not a directory",
  ENOENT: "no such file or directory",
  EMFILE: "too many open files",
  ENFILE: "too many open files in the system",
  ENXIO: "no such device or address",
  ENODEV: "no such device",
  ETXTBSY: "text file busy",
  ELOOP: "too many levels of symbolic links",
  ENAMETOOLONG: "file name too long",
  EEXIST: "already exists",
  EBADF: "bad file descriptor",
  EPIPE: "broken pipe",
};

type Errno = Error & { code: string; syscall?: string; path?: string };

/** A Node/Bun file-system error carrying an errno code (ENOSPC, EIO…). */
export function isErrnoError(err: unknown): err is Errno {
  const code = (err as { code?: unknown } | null)?.code;
  return err instanceof Error && typeof code === "string" && /^E[A-Z0-9]+$/.test(code);
}

/** "no space left on device", or the code itself when coffer has no words for it. */
export function errnoReason(code: string): string {
  return REASONS[code] ?? code;
}

/** Maps a Node file-system error met while doing `action` on `path` to IoError. */
export function fsError(action: string, path: string, err: unknown): IoError {
  const code = (err as NodeJS.ErrnoException)?.code ?? "unknown";
  return new IoError(`${action} ${path}: ${errnoReason(code)}`, { cause: err });
}

/** An errno failure as IoError: "context: I/O error (write /x): no space left on device". */
export function errnoError(err: Errno, context?: string): IoError {
  const where = [err.syscall, err.path].filter(Boolean).join(" ");
  const prefix = context ? `${context}: ` : "";
  return new IoError(`${prefix}I/O error${where ? ` (${where})` : ""}: ${errnoReason(err.code)}`, {
    cause: err,
  });
}
