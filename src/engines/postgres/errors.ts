// Turns what Bun.sql throws into coffer's closed error tree (SPEC §7, §10):
// unreachable 7, credentials 4, lock and serialization conflicts 6.

import {
  AuthError,
  BusyError,
  CofferError,
  InternalError,
  IoError,
  NotFoundError,
  UsageError,
} from "../../errors.ts";
import { type PgTarget, redactUrl } from "./url.ts";

/** SQLSTATEs of a conflict that retrying may resolve, once the busy timeout is spent: exit 6. */
export const BUSY_STATES = new Set(["55P03", "40001", "40P01", "53300"]);
const AUTH_STATES = new Set(["28P01", "28000"]);

/** Bun's own codes for a connection that could not be made or was lost. */
const UNREACHABLE = new Set([
  "ERR_POSTGRES_CONNECTION_REFUSED",
  "ERR_POSTGRES_CONNECTION_TIMEOUT",
  "ERR_POSTGRES_CONNECTION_CLOSED",
  "ERR_POSTGRES_IDLE_TIMEOUT",
  "ERR_POSTGRES_LIFETIME_TIMEOUT",
  "ECONNREFUSED",
  "ECONNRESET",
  "ENOTFOUND",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "ETIMEDOUT",
  "EAI_AGAIN",
]);

/**
 * The server is there but will not serve this database now: connection
 * exceptions (08), an operator's shutdown, a crash or a dropped database
 * (57P01–57P04), and a database that does not allow connections (55000,
 * which coffer's own statements cannot otherwise raise).
 */
const UNAVAILABLE = (state: string) =>
  state.startsWith("08") || state.startsWith("57P") || state === "55000";

/** Serialization failure and deadlock: the server rolled the transaction back, so it may run again. */
const RETRY_STATES = new Set(["40001", "40P01"]);
/** The BusyErrors mapped from those states, so that an outer retry still knows them. */
const retryable = new WeakSet<object>();

/** Whether `err` (the driver's, or coffer's mapping of it) is a conflict worth running again. */
export function isRetryableConflict(err: unknown): boolean {
  const state = sqlState(err);
  if (state) return RETRY_STATES.has(state);
  return typeof err === "object" && err !== null && retryable.has(err);
}

/** The SQLSTATE of a server error, if `err` is one. */
export function sqlState(err: unknown): string | undefined {
  const errno = (err as { errno?: unknown } | null)?.errno;
  return typeof errno === "string" ? errno : undefined;
}

/** `err` as a CofferError naming the server by its redacted URL, never its password. */
export function mapPgError(err: unknown, target: PgTarget): CofferError {
  if (err instanceof CofferError) return err;
  const state = sqlState(err);
  const code = String((err as { code?: unknown } | null)?.code ?? "");
  const message = scrub(err instanceof Error ? err.message : String(err), target);
  const where = target.redacted;
  if (state && AUTH_STATES.has(state)) {
    return new AuthError(`PostgreSQL refused the credentials for ${where}: ${message}`, {
      hint: "check the user and password in the URL",
    });
  }
  if (state && BUSY_STATES.has(state)) {
    const busy = new BusyError(`the PostgreSQL store is busy (${state}): ${message}`, {
      hint: "another process holds the rows; retry, or raise the busy timeout",
    });
    if (RETRY_STATES.has(state)) retryable.add(busy);
    return busy;
  }
  if (state === "22021" || state === "22P05") {
    // PostgreSQL text cannot hold NUL (SQLite's can): bad input, not a bug.
    return new UsageError(`PostgreSQL cannot store this text (${state}): ${message}`, {
      hint: "text on PostgreSQL may not contain NUL characters (\\u0000)",
    });
  }
  if (state === "3D000") return new NotFoundError(`no database at ${where}: ${message}`);
  if (code.startsWith("ERR_POSTGRES_TLS") || /\b(tls|ssl|certificate)\b/i.test(message)) {
    return new IoError(`cannot open a TLS connection to ${where}: ${message}`, {
      hint: "check the server's TLS setup and sslmode / sslrootcert in the URL",
    });
  }
  if (UNREACHABLE.has(code) || (state !== undefined && UNAVAILABLE(state))) {
    return new IoError(`cannot reach the PostgreSQL server at ${where}: ${message}`);
  }
  if (state === "42501") return new IoError(`permission denied on ${where}: ${message}`);
  return new InternalError(`PostgreSQL error${state ? ` ${state}` : ""}: ${message}`);
}

/** Removes the password (verbatim or inside a URL) from text that came from elsewhere. */
export function scrub(text: string, target: Pick<PgTarget, "password">): string {
  let out = redactUrl(text);
  if (target.password) out = out.replaceAll(target.password, "***");
  return out;
}
