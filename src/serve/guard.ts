// The checks every request passes before any route runs: no Origin (no browser
// page), a Host we answer to (no DNS rebinding), and bodies that are JSON, bounded.

import { ExitCode } from "../errors.ts";
import { ApiError } from "./api-error.ts";

export const MAX_BODY_BYTES = 2 * 1024 * 1024;

/** One decoder for every body (making one per request cost more than the parse). */
const UTF8 = new TextDecoder("utf-8", { fatal: true });

/** A request from a browser page carries Origin; nothing else needs to. */
export function checkOrigin(req: Request): void {
  if (req.headers.has("origin")) {
    throw new ApiError(
      403,
      "origin_refused",
      ExitCode.auth,
      "requests with an Origin header are refused",
      "coffer serve is for local programs, not browser pages",
    );
  }
}

/** The host names a request may name: localhost, the loopback addresses, the socket, the listen host. */
export function allowedHosts(extra: readonly string[]): Set<string> {
  return new Set(["localhost", "127.0.0.1", "[::1]", ...extra.map((h) => h.toLowerCase())]);
}

/** Host without its port, lower case; "[::1]:8080" → "[::1]". */
export function hostName(header: string): string {
  const h = header.trim().toLowerCase();
  if (h.startsWith("[")) return h.slice(0, h.indexOf("]") + 1);
  const colon = h.lastIndexOf(":");
  return colon === -1 ? h : h.slice(0, colon);
}

export function checkHost(req: Request, allowed: ReadonlySet<string>): void {
  const header = req.headers.get("host");
  if (header === null || !allowed.has(hostName(header))) {
    throw new ApiError(
      421,
      "misdirected_request",
      ExitCode.auth,
      "this server does not answer to that Host",
      "use Host: localhost",
    );
  }
}

/** The body as JSON: {} when there is none; 415 unless application/json, 413 past the limit. */
export async function readJsonBody(req: Request, limit = MAX_BODY_BYTES): Promise<unknown> {
  const length = req.headers.get("content-length");
  const chunked = req.headers.has("transfer-encoding");
  if (!chunked && (length === null || length === "0")) return {};
  const type = req.headers.get("content-type") ?? "";
  if (!/^application\/json\s*(;\s*charset=utf-8\s*)?$/i.test(type.trim())) {
    throw new ApiError(
      415,
      "unsupported_media_type",
      ExitCode.usage,
      "the body must be application/json",
    );
  }
  if (length !== null && Number(length) > limit) throw tooLarge();
  let bytes: Uint8Array;
  try {
    // With a length (checked above) the whole body at once: streaming it costs more than the work.
    bytes = length !== null ? await req.bytes() : await readBounded(req, limit);
  } catch (err) {
    if (err instanceof ApiError) throw err;
    throw new ApiError(400, "invalid_request", ExitCode.usage, "the body could not be read");
  }
  if (bytes.length > limit) throw tooLarge();
  if (bytes.length === 0) return {};
  try {
    return JSON.parse(UTF8.decode(bytes));
  } catch {
    throw new ApiError(400, "invalid_json", ExitCode.usage, "the body is not valid JSON");
  }
}

async function readBounded(req: Request, limit: number): Promise<Uint8Array> {
  if (!req.body) return new Uint8Array();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for await (const chunk of req.body) {
    size += chunk.length;
    if (size > limit) throw tooLarge();
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

function tooLarge(): ApiError {
  return new ApiError(
    413,
    "payload_too_large",
    ExitCode.usage,
    `the body is larger than ${MAX_BODY_BYTES / 1024 / 1024} MiB`,
  );
}
