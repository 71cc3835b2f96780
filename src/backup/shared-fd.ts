// Read descriptors of store files, kept open for the life of the process.
// Closing *any* descriptor of a file drops every POSIX lock the process holds
// on it, SQLite's included: closing one while a Store in this process has the
// same file open would silently cancel that Store's locks
// (https://sqlite.org/howtocorrupt.html#posix_close_bug). So a descriptor is
// opened once per file and closed only once the file has no name left.

import { closeSync, fstatSync, openSync, statSync } from "node:fs";

const open = new Map<string, number>();

const key = (st: { dev: number; ino: number }) => `${st.dev}:${st.ino}`;

/** A read-only descriptor of the file now at `path`, shared with later calls. */
export function sharedReadFd(path: string): number {
  closeUnlinked();
  const kept = open.get(key(statSync(path)));
  if (kept !== undefined) return kept;
  // Never opened twice and never closed while named: see above.
  const fd = openSync(path, "r");
  open.set(key(fstatSync(fd)), fd);
  return fd;
}

/** A replaced store's old file: nothing may use it any more, so its descriptor can go. */
function closeUnlinked(): void {
  for (const [k, fd] of open) {
    if (fstatSync(fd).nlink > 0) continue;
    closeSync(fd);
    open.delete(k);
  }
}
