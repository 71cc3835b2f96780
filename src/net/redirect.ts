// The next request after a redirect, following the fetch standard's rules for
// method, body and headers (https://fetch.spec.whatwg.org/#http-redirect-fetch).

import { UsageError } from "../errors.ts";

export interface Hop {
  url: URL;
  method: string;
  headers: Headers;
  body: RequestInit["body"];
}

const REDIRECTS = new Set([301, 302, 303, 307, 308]);
const BODY_HEADERS = [
  "content-type",
  "content-length",
  "content-encoding",
  "content-language",
  "content-location",
];
// Credentials meant for one origin must not follow a redirect to another.
const ORIGIN_HEADERS = ["authorization", "cookie", "proxy-authorization"];

export function redirectTarget(response: Response, from: URL): URL | undefined {
  if (!REDIRECTS.has(response.status)) return undefined;
  const location = response.headers.get("location");
  if (location === null) return undefined;
  try {
    return new URL(location, from);
  } catch (err) {
    throw new UsageError(`redirect from ${from.origin} to an invalid URL`, { cause: err });
  }
}

export function nextHop(hop: Hop, status: number, to: URL): Hop {
  const headers = new Headers(hop.headers);
  let { method, body } = hop;
  const toGet =
    ((status === 301 || status === 302) && method === "POST") ||
    (status === 303 && method !== "GET" && method !== "HEAD");
  if (toGet) {
    method = "GET";
    body = null;
    for (const name of BODY_HEADERS) headers.delete(name);
  } else if (body instanceof ReadableStream) {
    throw new UsageError(
      `cannot follow the ${status} redirect from ${hop.url.origin}: a stream body cannot be sent twice`,
    );
  }
  if (to.origin !== hop.url.origin) for (const name of ORIGIN_HEADERS) headers.delete(name);
  return { url: to, method, headers, body };
}
