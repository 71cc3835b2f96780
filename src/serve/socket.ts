// The Unix socket's file: a 0700 directory, a stale socket from a killed
// server removed (a live one refused), 0600 once bound, removed at the end.

import { chmodSync, lstatSync, mkdirSync, statSync, unlinkSync } from "node:fs";
import { dirname } from "node:path";
import { BusyError, UsageError } from "../errors.ts";

/** sockaddr_un's sun_path holds 108 bytes, the last one NUL. */
const MAX_SOCKET_PATH = 107;

/** Makes the directory (0700) and clears a stale socket; `own`: the directory is coffer's own. */
export async function prepareSocket(path: string, own: boolean): Promise<void> {
  if (Buffer.byteLength(path) > MAX_SOCKET_PATH) {
    throw new UsageError(`the socket path is longer than ${MAX_SOCKET_PATH} bytes: ${path}`, {
      hint: "give a shorter --socket PATH",
    });
  }
  const dir = dirname(path);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const mode = statSync(dir).mode & 0o777;
  if (mode & 0o077) {
    if (!own) {
      throw new UsageError(`the socket's directory ${dir} is open to other users`, {
        hint: "give --socket PATH in a directory of mode 0700 (or set XDG_RUNTIME_DIR)",
      });
    }
    chmodSync(dir, 0o700);
  }
  await clearStale(path);
}

async function clearStale(path: string): Promise<void> {
  let isSocket: boolean;
  try {
    isSocket = lstatSync(path).isSocket();
  } catch {
    return;
  }
  if (!isSocket) {
    throw new UsageError(`${path} exists and is not a socket`, {
      hint: "remove it or give --socket",
    });
  }
  if (await answers(path)) {
    throw new BusyError(`another server is listening on ${path}`, {
      hint: "stop it first, or give another --socket",
    });
  }
  unlinkSync(path);
}

/** Whether something accepts connections on the socket. */
async function answers(path: string): Promise<boolean> {
  try {
    const sock = await Bun.connect({ unix: path, socket: { data() {} } });
    sock.end();
    return true;
  } catch {
    return false;
  }
}

/** After binding: 0600, and the inode, so that only our own socket is removed at the end. */
export function sealSocket(path: string): number {
  chmodSync(path, 0o600);
  return lstatSync(path).ino;
}

export function removeSocket(path: string, ino: number): void {
  try {
    if (lstatSync(path).ino === ino) unlinkSync(path);
  } catch {
    // Already gone.
  }
}
