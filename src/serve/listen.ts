// Where `coffer serve` listens: the Unix socket's default path (SPEC §13), and
// --listen HOST:PORT, loopback unless TLS is given (SEC-01, SEC-10).

import { dirname, join } from "node:path";
import { isLoopback } from "../engines/postgres/url.ts";
import { UsageError } from "../errors.ts";
import type { Env } from "../store/paths.ts";

export interface ListenAddress {
  /** As given ("localhost", "127.0.0.1", "::1"), without brackets. */
  host: string;
  /** 0: any free port (tests). */
  port: number;
}

/**
 * `$XDG_RUNTIME_DIR/coffer/serve.sock`, else beside the SQLite store, else
 * under the data home. `own`: a coffer directory that may be made 0700; the
 * store's own directory is only checked (it may be the user's, not coffer's).
 */
export function defaultSocketPath(
  env: Env,
  target: string,
  postgres: boolean,
): { path: string; own: boolean } {
  if (env.XDG_RUNTIME_DIR)
    return { path: join(env.XDG_RUNTIME_DIR, "coffer", "serve.sock"), own: true };
  if (!postgres) return { path: join(dirname(target), "serve.sock"), own: false };
  const dataHome = env.XDG_DATA_HOME || join(env.HOME || "/", ".local", "share");
  return { path: join(dataHome, "coffer", "serve.sock"), own: true };
}

/** "8080", ":8080", "127.0.0.1:8080", "[::1]:8080", "host.example:8443". */
export function parseListen(text: string): ListenAddress {
  const m = /^(?:\[([0-9A-Fa-f:.]+)\]|([^:[\]\s]*)):(\d{1,5})$|^(\d{1,5})$/.exec(text.trim());
  if (!m) {
    throw new UsageError(`--listen must be HOST:PORT or PORT, got '${text.slice(0, 100)}'`, {
      hint: "e.g. --listen 127.0.0.1:7070",
    });
  }
  const host = m[1] ?? (m[2] || "127.0.0.1");
  const port = Number(m[3] ?? m[4]);
  if (port > 65_535) throw new UsageError(`--listen port must be from 0 to 65535, got ${port}`);
  return { host, port };
}

/** A host that is not loopback is refused unless TLS is configured. */
export function checkListen(address: ListenAddress, tls: boolean): void {
  if (tls || isLoopback(address.host)) return;
  throw new UsageError(
    `refusing to listen on ${address.host}, which is not a loopback address, without TLS`,
    { hint: "give --tls-cert FILE --tls-key FILE, or listen on 127.0.0.1" },
  );
}

/** The host name a request names this listener by: "[::1]" for an IPv6 literal. */
export function hostHeaderName(host: string): string {
  return host.includes(":") ? `[${host.toLowerCase()}]` : host.toLowerCase();
}
