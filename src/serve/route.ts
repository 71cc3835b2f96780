// What one route of the API is: method, path, the right it needs, the schemas
// of its body and query, and its handler. routes.ts lists them all, one entry each.

import type * as v from "valibot";
import type { Client } from "../client.ts";
import type { StoredKey } from "../state/keys/rules.ts";
import type { Vault } from "../vault/vault.ts";
import type { Need } from "./needs.ts";

/** A bounded map of job id → queue name. */
export class JobQueues {
  private readonly map = new Map<number, string>();
  constructor(private readonly max = 50_000) {}
  get(id: number): string | undefined {
    return this.map.get(id);
  }
  set(id: number, queue: string): void {
    if (this.map.size >= this.max) this.map.delete(this.map.keys().next().value as number);
    this.map.set(id, queue);
  }
  delete(id: number): void {
    this.map.delete(id);
  }
}

export type Method = "GET" | "POST" | "PUT" | "PATCH" | "DELETE";

/** What a server gives every handler besides the request's own parts. */
export interface ServerParts {
  client: Client;
  /** A waiting claim probes its queue at least this often (default: the engine's fallback). */
  pollMs: number | undefined;
  /** Aborted when the server starts shutting down: long polls answer 204 then. */
  closing: AbortSignal;
  /**
   * The queue of jobs this server handed out, by id (a job never changes queue
   * and ids are never reused), so that settling one needs no lookup first.
   */
  jobQueues: JobQueues;
  /** The unlocked vault, or undefined: secret routes answer 423 then. */
  vault: Vault | undefined;
}

export interface RouteContext<B = unknown, Q = unknown> extends ServerParts {
  params: Record<string, string>;
  body: B;
  query: Q;
  /** The key the request came with (null on a public route). */
  key: StoredKey | null;
}

export interface Reply {
  status: number;
  body?: unknown;
}

export interface Route {
  method: Method;
  path: string;
  summary: string;
  /** What a key needs; absent: the route is public. */
  right?: Need | undefined;
  body?: v.GenericSchema | undefined;
  query?: v.GenericSchema | undefined;
  /** A secret route: its outcome goes into the audit trail as this action. */
  audit?: string | undefined;
  /** Status codes the route answers with on success, and what each means (for OpenAPI). */
  responses: Record<number, string>;
  handler(ctx: RouteContext): Promise<Reply>;
}

interface RouteSpec<B extends v.GenericSchema | undefined, Q extends v.GenericSchema | undefined> {
  summary: string;
  right?: Need;
  body?: B;
  query?: Q;
  audit?: string;
  responses: Record<number, string>;
  handler(
    ctx: RouteContext<
      B extends v.GenericSchema ? v.InferOutput<B> : undefined,
      Q extends v.GenericSchema ? v.InferOutput<Q> : Record<string, never>
    >,
  ): Promise<Reply>;
}

/** One entry of the route table, typed by its schemas. */
export function route<
  B extends v.GenericSchema | undefined = undefined,
  Q extends v.GenericSchema | undefined = undefined,
>(method: Method, path: string, spec: RouteSpec<B, Q>): Route {
  return { method, path, ...spec } as unknown as Route;
}

export interface CompiledRoute {
  route: Route;
  pattern: RegExp;
  names: string[];
}

export function compile(route: Route): CompiledRoute {
  const names: string[] = [];
  const source = route.path.replace(/[.*+?^$()|[\]\\]/g, "\\$&").replace(/\{(\w+)\}/g, (_, n) => {
    names.push(n);
    return "([^/]+)";
  });
  return { route, pattern: new RegExp(`^${source}$`), names };
}

export type Match =
  | { kind: "found"; route: Route; params: Record<string, string> }
  | { kind: "method"; allowed: Method[] }
  | { kind: "none" };

/** The route for a method and path; a known path with another method is told apart. */
export function match(table: readonly CompiledRoute[], method: string, path: string): Match {
  const allowed: Method[] = [];
  for (const c of table) {
    const m = c.pattern.exec(path);
    if (!m) continue;
    if (c.route.method !== method) {
      allowed.push(c.route.method);
      continue;
    }
    const params: Record<string, string> = {};
    c.names.forEach((name, i) => {
      params[name] = decodeParam(m[i + 1] ?? "");
    });
    return { kind: "found", route: c.route, params };
  }
  return allowed.length > 0 ? { kind: "method", allowed } : { kind: "none" };
}

function decodeParam(raw: string): string {
  try {
    return decodeURIComponent(raw);
  } catch {
    return raw;
  }
}
