// `coffer serve`'s HTTP server over one Client: the guards, the key, the
// route, its body and query, the handler, and the JSON answer; a Unix socket
// and, optionally, TCP. stop() drains: no new requests, waiting claims get 204,
// those in flight finish (bounded), then the client closes and the socket goes.

import { constants } from "node:crypto";
import type { Server } from "bun";
import * as v from "valibot";
import type { Client } from "../client.ts";
import { BusyError, type CofferError, IoError, UsageError } from "../errors.ts";
import type { Vault } from "../vault/vault.ts";
import { ApiError, errorBody, refuse, toApiError } from "./api-error.ts";
import { audited } from "./audit.ts";
import { Authenticator, checkRight } from "./auth.ts";
import { allowedHosts, checkHost, checkOrigin, MAX_BODY_BYTES, readJsonBody } from "./guard.ts";
import { hostHeaderName, type ListenAddress } from "./listen.ts";
import { rightFor } from "./needs.ts";
import {
  type CompiledRoute,
  compile,
  JobQueues,
  match,
  type RouteContext,
  type ServerParts,
} from "./route.ts";
import { routes } from "./routes.ts";
import { prepareSocket, removeSocket, sealSocket } from "./socket.ts";

export const DRAIN_MS = 10_000;
const NO_OLD_TLS =
  constants.SSL_OP_NO_SSLv3 | constants.SSL_OP_NO_TLSv1 | constants.SSL_OP_NO_TLSv1_1;
const IDLE_SECONDS = 45;

export interface ServeOptions {
  client: Client;
  /**
   * A waiting claim looks at its queue at least this often even when no
   * change signal came (default: the engine's fallback; tests raise it).
   */
  pollMs?: number | undefined;
  /** The Unix socket to listen on; `socketIsOwn`: its directory is coffer's default one. */
  socket?: string | undefined;
  socketIsOwn?: boolean | undefined;
  listen?: ListenAddress | undefined;
  /** PEM text of the certificate chain and key: TCP speaks TLS (1.2 or later) then. */
  tls?: { cert: string; key: string } | undefined;
  vault?: Vault | undefined;
  /** Told of every 500, for the server's log (messages only, never a body). */
  onInternalError?: ((err: unknown) => void) | undefined;
  drainMs?: number | undefined;
}

export interface RunningServer {
  socket: string | undefined;
  /** The TCP port (the real one when 0 was asked for). */
  port: number | undefined;
  /** Resolves once stopped; idempotent. */
  stop(): Promise<void>;
}

export async function startServer(o: ServeOptions): Promise<RunningServer> {
  const table = routes.map(compile);
  const abort = new AbortController();
  const parts: ServerParts = {
    client: o.client,
    pollMs: o.pollMs,
    closing: abort.signal,
    jobQueues: new JobQueues(),
    vault: o.vault,
  };
  const auth = new Authenticator(o.client);
  const extra = o.listen ? [hostHeaderName(o.listen.host)] : [];
  if (o.socket) extra.push(o.socket, encodeURIComponent(o.socket));
  const hosts = allowedHosts(extra);
  const handle = async (req: Request, peer: string): Promise<Response> => {
    try {
      if (abort.signal.aborted)
        throw new ApiError(503, "shutting_down", 6, "the server is shutting down");
      return await answer(req, peer, table, parts, auth, hosts);
    } catch (err) {
      const e = toApiError(err);
      if (e.status === 500) o.onInternalError?.(err);
      return json(e.status, errorBody(e));
    }
  };
  const servers: Server<undefined>[] = [];
  let ino = 0;
  // Bun answers a body past this with its own bare 413; below it, ours (JSON) answers,
  // from Content-Length before reading, or by stopping the read at MAX_BODY_BYTES.
  const common = { maxRequestBodySize: 16 * MAX_BODY_BYTES };
  // A long-poll claim is silent for up to 30 s: past Bun's 10 s idle timeout.
  const serveOne = (server: Server<undefined>, req: Request, peer: string) => {
    server.timeout(req, IDLE_SECONDS);
    return handle(req, peer);
  };
  if (o.socket) {
    await prepareSocket(o.socket, o.socketIsOwn ?? false);
    try {
      servers.push(
        Bun.serve({
          ...common,
          unix: o.socket,
          fetch: (req, server) => serveOne(server, req, "unix"),
        }),
      );
    } catch (err) {
      const code = (err as { code?: string }).code ?? "failed";
      throw new IoError(`listen on ${o.socket}: ${code}`);
    }
    ino = sealSocket(o.socket);
  }
  if (o.listen) {
    const hostname = o.listen.host === "localhost" ? "127.0.0.1" : o.listen.host;
    try {
      servers.push(
        Bun.serve({
          ...common,
          hostname,
          port: o.listen.port,
          // Bun already refuses TLS 1.0 and 1.1; said here too, so no default can bring them back (SEC-10).
          ...(o.tls
            ? { tls: { cert: o.tls.cert, key: o.tls.key, secureOptions: NO_OLD_TLS } }
            : {}),
          fetch: (req, server) => serveOne(server, req, server.requestIP(req)?.address ?? "tcp"),
        }),
      );
    } catch (err) {
      // The socket is up already: take it down, or the process would keep serving it.
      for (const s of servers) s.stop(true);
      if (o.socket) removeSocket(o.socket, ino);
      throw listenError(o.listen, err);
    }
  }
  let stopping: Promise<void> | undefined;
  const stop = async () => {
    abort.abort();
    // Stops accepting; resolves once every connection is done (answers written, idle ones closed).
    const drained = Promise.all(servers.map((s) => s.stop(false)));
    let timer: Timer | undefined;
    const late = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, o.drainMs ?? DRAIN_MS);
    });
    await Promise.race([drained, late]);
    clearTimeout(timer);
    for (const s of servers) s.stop(true);
    o.vault?.lock();
    await o.client.close();
    if (o.socket) removeSocket(o.socket, ino);
  };
  return {
    socket: o.socket,
    port: o.listen ? servers[servers.length - 1]?.port : undefined,
    stop: () => {
      stopping ??= stop();
      return stopping;
    },
  };
}

async function answer(
  req: Request,
  peer: string,
  table: readonly CompiledRoute[],
  parts: ServerParts,
  auth: Authenticator,
  hosts: ReadonlySet<string>,
): Promise<Response> {
  checkOrigin(req);
  checkHost(req, hosts);
  const url = new URL(req.url);
  const found = match(table, req.method, url.pathname);
  if (found.kind === "none")
    throw refuse.notFound(`no route ${req.method} ${url.pathname.slice(0, 200)}`);
  if (found.kind === "method") {
    throw new ApiError(
      405,
      "method_not_allowed",
      2,
      `${req.method} is not allowed here; use ${found.allowed.join(", ")}`,
    );
  }
  const { route, params } = found;
  const ctx: RouteContext = { ...parts, params, body: undefined, query: {}, key: null };
  if (route.right) ctx.key = await auth.authenticate(req, peer);
  const run = async () => {
    if (route.query) ctx.query = v.parse(route.query, queryObject(url.searchParams));
    if (route.right && ctx.key) checkRight(ctx.key, await rightFor(route.right, ctx));
    if (route.body) ctx.body = v.parse(route.body, await readJsonBody(req));
    return route.handler(ctx);
  };
  const reply = route.audit ? await audited(route.audit, ctx, run) : await run();
  return json(reply.status, reply.body);
}

function listenError(at: ListenAddress, err: unknown): CofferError {
  const code = (err as { code?: string }).code;
  const where = `${at.host}:${at.port}`;
  if (code === "EADDRINUSE")
    return new BusyError(`${where} is in use`, { hint: "give another --listen port" });
  if (code === "EADDRNOTAVAIL") return new UsageError(`${where} is not an address of this host`);
  if (code === "EACCES") return new IoError(`listen on ${where}: permission denied`);
  // A bad certificate or key (Bun says so in its message) is a usage error, said without the PEM.
  return new UsageError(`cannot listen on ${where}${tlsHint(err)}`);
}

function tlsHint(err: unknown): string {
  const text = err instanceof Error ? err.message : "";
  return /cert|key|pem|tls|ssl/i.test(text) ? ": the TLS certificate or key was refused" : "";
}

/** The query as an object; a name given more than once (`where=…&where=…`) becomes an array. */
function queryObject(params: URLSearchParams): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const name of new Set(params.keys())) {
    const all = params.getAll(name);
    out[name] = all.length === 1 ? (all[0] as string) : all;
  }
  return out;
}

/** One Headers for every answer (each Response copies it): a plain object is converted per answer. */
const HEADERS = new Headers({
  "content-type": "application/json",
  "cache-control": "no-store",
  "x-content-type-options": "nosniff",
});

function json(status: number, body: unknown): Response {
  if (status === 204 || body === undefined) return new Response(null, { status, headers: HEADERS });
  return new Response(JSON.stringify(body), { status, headers: HEADERS });
}
