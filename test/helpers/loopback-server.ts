// Local HTTP servers for the safeFetch tests: loopback only (127.0.0.0/8, ::1),
// each counting the requests it sees so a refusal can be shown to send none.

import type { Server } from "bun";

export interface SeenRequest {
  method: string;
  path: string;
  host: string | null;
  headers: Headers;
  body: string;
}

export interface CountingServer {
  /** http://127.0.0.1:port style origin, with the address as the server binds it. */
  origin: string;
  port: number;
  seen: SeenRequest[];
  stop(): void;
}

/** The body is read once by the server and handed over as text. */
export type Handler = (req: Request, url: URL, body: string) => Response | Promise<Response>;

export function countingServer(
  hostname: "127.0.0.1" | "127.0.0.2" | "::1",
  handler?: Handler,
): CountingServer {
  const seen: SeenRequest[] = [];
  const server: Server<undefined> = Bun.serve({
    hostname,
    port: 0,
    idleTimeout: 30,
    async fetch(req) {
      const url = new URL(req.url);
      const body = await req.text();
      seen.push({
        method: req.method,
        path: url.pathname,
        host: req.headers.get("host"),
        headers: req.headers,
        body,
      });
      return handler ? handler(req, url, body) : new Response("ok");
    },
  });
  const host = hostname.includes(":") ? `[${hostname}]` : hostname;
  return {
    origin: `http://${host}:${server.port}`,
    port: server.port as number,
    seen,
    stop: () => server.stop(true),
  };
}
