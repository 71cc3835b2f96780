// safeFetch (SPEC §14): every outbound request coffer makes, and the one the
// library offers agents for URLs chosen by a model. Refusals are UsageErrors.

import { CofferError, IoError, UsageError } from "../errors.ts";
import { parseAllowlist } from "./allowlist.ts";
import { boundedResponse, timedOut } from "./bounded-body.ts";
import type { IpClass } from "./ip-class.ts";
import { type Hop, nextHop, redirectTarget } from "./redirect.ts";
import { type CheckedTarget, checkTarget, type Lookup, systemLookup } from "./resolve.ts";

/** A request let through by an `allowedPrivateIps` entry. */
export interface SafeFetchAllowedEvent {
  url: string;
  address: string;
  addressClass: IpClass;
  /** The allowlist entry that matched, as written. */
  rule: string;
}

export interface SafeFetchOptions {
  /** Addresses or CIDR ranges that may be reached though not public. */
  allowedPrivateIps?: string[];
  /** Redirects followed by hand, each checked again; default 5. */
  maxRedirects?: number;
  /** For the whole exchange, redirects and body included; default 30 s. */
  timeoutMs?: number;
  /** Largest body, after decompression; default 10 MiB. */
  maxBytes?: number;
  onAllowed?: (event: SafeFetchAllowedEvent) => void;
}

export const SAFE_FETCH_DEFAULTS = {
  maxRedirects: 5,
  timeoutMs: 30_000,
  maxBytes: 10 * 1024 * 1024,
};

/** Test-only seams: a resolver, so tests never ask real DNS about a name. */
export interface SafeFetchDeps {
  lookup: Lookup;
}

function hostLiteral(address: string): string {
  return address.includes(":") ? `[${address}]` : address;
}

/** The checked address in place of the name; the name goes in Host and in TLS. */
function direct(target: CheckedTarget): string {
  const { url } = target;
  const auth = url.username ? `${url.username}${url.password ? `:${url.password}` : ""}@` : "";
  const port = url.port ? `:${url.port}` : "";
  return `${url.protocol}//${auth}${hostLiteral(target.address)}${port}${url.pathname}${url.search}`;
}

async function firstHop(input: string | URL | Request, init: RequestInit): Promise<Hop> {
  if (!(input instanceof Request)) {
    return {
      url: new URL(String(input)),
      method: (init.method ?? "GET").toUpperCase(),
      headers: new Headers(init.headers),
      body: init.body ?? null,
    };
  }
  const body = init.body ?? (input.body ? await input.arrayBuffer() : null);
  return {
    url: new URL(input.url),
    method: (init.method ?? input.method).toUpperCase(),
    headers: new Headers(init.headers ?? input.headers),
    body,
  };
}

function send(hop: Hop, target: CheckedTarget, init: BunFetchRequestInit, signal: AbortSignal) {
  const headers = new Headers(hop.headers);
  headers.set("host", hop.url.host);
  // A Unix socket, a session or a proxy would each choose another destination.
  const { unix: _unix, session: _session, proxy: _proxy, s3: _s3, ...rest } = init;
  return fetch(direct(target), {
    ...rest,
    method: hop.method,
    headers,
    body: hop.body,
    redirect: "manual",
    signal,
    // A proxy would be a second party choosing where the request goes.
    proxy: false,
    tls: target.byName ? { ...init.tls, serverName: hop.url.hostname } : init.tls,
  });
}

function failure(err: unknown, hop: Hop, timeout: AbortSignal, timeoutMs: number): unknown {
  if (err instanceof CofferError) return err;
  if (timeout.aborted) return timedOut({ origin: hop.url.origin, timeoutMs }, err);
  if (err instanceof Error && err.name === "AbortError") return err; // the caller's own signal
  const code =
    (err as { code?: string }).code ?? (err instanceof Error ? err.message : String(err));
  return new IoError(`request to ${hop.url.origin} failed: ${code}`, { cause: err });
}

export async function safeFetchWith(
  deps: SafeFetchDeps,
  input: string | URL | Request,
  init: BunFetchRequestInit = {},
  options: SafeFetchOptions = {},
): Promise<Response> {
  const rules = parseAllowlist(options.allowedPrivateIps ?? []);
  const { maxRedirects, timeoutMs, maxBytes } = { ...SAFE_FETCH_DEFAULTS, ...definedOnly(options) };
  const timeout = AbortSignal.timeout(timeoutMs);
  const signal = init.signal ? AbortSignal.any([init.signal, timeout]) : timeout;
  let hop = await firstHop(input, init);
  for (let redirects = 0; ; redirects++) {
    let response: Response;
    try {
      const target = await checkTarget(hop.url, rules, deps.lookup);
      if (target.allowedBy) {
        options.onAllowed?.({
          url: hop.url.href,
          address: target.address,
          addressClass: target.addressClass,
          rule: target.allowedBy.text,
        });
      }
      response = await send(hop, target, init, signal);
    } catch (err) {
      throw failure(err, hop, timeout, timeoutMs);
    }
    const to = init.redirect === "manual" ? undefined : redirectTarget(response, hop.url);
    if (to && init.redirect === "error") {
      await response.body?.cancel().catch(() => {});
      throw new UsageError(
        `refused ${hop.url.origin}: a redirect, and redirect: "error" was asked`,
      );
    }
    if (!to)
      return boundedResponse(response, hop.url, {
        maxBytes,
        origin: hop.url.origin,
        timeout,
        timeoutMs,
      });
    await response.body?.cancel().catch(() => {});
    if (redirects >= maxRedirects) {
      throw new UsageError(`refused ${hop.url.origin}: more than ${maxRedirects} redirects`);
    }
    hop = nextHop(hop, response.status, to);
  }
}

function definedOnly(options: SafeFetchOptions): Partial<typeof SAFE_FETCH_DEFAULTS> {
  const out: Partial<typeof SAFE_FETCH_DEFAULTS> = {};
  for (const key of ["maxRedirects", "timeoutMs", "maxBytes"] as const) {
    const value = options[key];
    if (value === undefined) continue;
    if (!Number.isSafeInteger(value) || value < 0)
      throw new UsageError(`${key} must be a whole number, 0 or more`);
    out[key] = value;
  }
  return out;
}

/** fetch with SSRF checks: see SafeFetchOptions and SPEC §14. */
export function safeFetch(
  input: string | URL | Request,
  init?: BunFetchRequestInit,
  options?: SafeFetchOptions,
): Promise<Response> {
  return safeFetchWith({ lookup: systemLookup }, input, init, options);
}
