// Reads a postgres:// or postgresql:// target into its parts, applies the TLS
// rule of SPEC §10 before anything connects, and gives the form safe to print.

import { UsageError } from "../../errors.ts";

export const SSL_MODES = [
  "disable",
  "allow",
  "prefer",
  "require",
  "verify-ca",
  "verify-full",
] as const;
export type SslMode = (typeof SSL_MODES)[number];
const ENCRYPTED: readonly SslMode[] = ["require", "verify-ca", "verify-full"];

export const DEFAULT_SCHEMA = "coffer";
export const DEFAULT_PORT = 5432;

/** Query keys a coffer URL may carry; anything else is refused rather than sent on. */
const KNOWN_KEYS = new Set([
  "host",
  "port",
  "user",
  "password",
  "dbname",
  "sslmode",
  "sslrootcert",
  "schema",
  "connect_timeout",
  "application_name",
]);

export interface PgTarget {
  user: string | undefined;
  password: string | undefined;
  /** A host name or IP address; undefined when `socket` is set. */
  host: string | undefined;
  /** The directory of a Unix socket (a host that starts with "/"). */
  socket: string | undefined;
  port: number;
  database: string | undefined;
  schema: string;
  sslmode: SslMode;
  sslrootcert: string | undefined;
  connectTimeout: number | undefined;
  applicationName: string | undefined;
  /** A Unix socket or a loopback address: plaintext is allowed. */
  local: boolean;
  /** postgres://user:***@host/db: the only form of the target ever printed. */
  redacted: string;
}

/** Parses `text`; throws UsageError (exit 2), whose message never holds the password. */
export function parsePostgresUrl(text: string): PgTarget {
  const m = /^(postgres|postgresql):\/\/([^/?#]*)(\/[^?#]*)?(\?[^#]*)?$/i.exec(text);
  if (!m) throw bad("expected postgres://[user[:password]@]host[:port]/database[?options]");
  const [, , authority = "", path = "", query = ""] = m;
  const at = authority.lastIndexOf("@");
  const userinfo = at >= 0 ? authority.slice(0, at) : undefined;
  const hostport = at >= 0 ? authority.slice(at + 1) : authority;
  const params = new URLSearchParams(query.slice(1));
  for (const key of new Set(params.keys())) {
    if (!KNOWN_KEYS.has(key)) throw bad(`unknown option "${key}"`);
    if (params.getAll(key).length > 1) throw bad(`option "${key}" given more than once`);
  }
  const colon = userinfo?.indexOf(":") ?? -1;
  const user = param(params, "user") ?? decode(colon >= 0 ? userinfo?.slice(0, colon) : userinfo);
  const password =
    param(params, "password") ?? (colon >= 0 ? decode(userinfo?.slice(colon + 1)) : undefined);
  const [urlHost, urlPort] = splitHostPort(hostport);
  const host = (param(params, "host") ?? decode(urlHost)) || undefined;
  const socket = host?.startsWith("/") ? host : undefined;
  const port = toPort(param(params, "port") ?? urlPort);
  const database = param(params, "dbname") ?? (decode(path.slice(1)) || undefined);
  const schema = param(params, "schema") ?? DEFAULT_SCHEMA;
  checkSchema(schema);
  const tcpHost = socket ? undefined : (host ?? "localhost");
  const local = socket !== undefined || isLoopback(tcpHost ?? "");
  const sslmode = toSslMode(param(params, "sslmode"), local);
  const target: PgTarget = {
    user,
    password,
    host: tcpHost,
    socket,
    port,
    database,
    schema,
    sslmode,
    sslrootcert: param(params, "sslrootcert"),
    connectTimeout: toTimeout(param(params, "connect_timeout")),
    applicationName: param(params, "application_name"),
    local,
    redacted: "",
  };
  target.redacted = redactTarget(target);
  if (!local && !ENCRYPTED.includes(sslmode)) {
    throw new UsageError(
      `refusing a plaintext connection to ${target.redacted}: sslmode=${sslmode} to a host that is not loopback or a Unix socket`,
      { hint: "use sslmode=require, verify-ca or verify-full (the default)" },
    );
  }
  return target;
}

/** 127.0.0.0/8, ::1 and localhost. */
export function isLoopback(host: string): boolean {
  const h = host.toLowerCase().replace(/\.$/, "");
  if (h === "localhost") return true;
  const v4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(h);
  if (v4) return v4.slice(1).every((o) => Number(o) <= 255) && v4[1] === "127";
  if (!h.includes(":")) return false;
  try {
    return new URL(`http://[${h.replace(/^\[|\]$/g, "")}]/`).hostname === "[::1]";
  } catch {
    return false;
  }
}

/** The schema name goes into SQL as an identifier: lower-case letters, digits, _. */
export function checkSchema(schema: string): void {
  if (!/^[a-z_][a-z0-9_]{0,62}$/.test(schema) || schema.startsWith("pg_")) {
    throw new UsageError(
      `invalid schema "${schema.slice(0, 64)}": use 1-63 lower-case letters, digits or _, not starting with a digit or pg_`,
    );
  }
}

/** Hides any password in a string that may hold a URL (for messages that quote one). */
export function redactUrl(text: string): string {
  return text
    .replace(/(postgres(?:ql)?:\/\/[^:/?#@\s]*):[^@/?#\s]*@/gi, "$1:***@")
    .replace(/([?&]password=)[^&#\s]*/gi, "$1***");
}

function redactTarget(t: PgTarget): string {
  const pass = t.password === undefined ? "" : ":***";
  const user = t.user === undefined ? "" : `${encodeURIComponent(t.user)}${pass}@`;
  const port = t.port === DEFAULT_PORT ? "" : `:${t.port}`;
  const extra: string[] = [];
  if (t.socket) extra.push(`host=${t.socket}`);
  if (t.socket && port) extra.push(`port=${t.port}`);
  if (t.schema !== DEFAULT_SCHEMA) extra.push(`schema=${t.schema}`);
  const host = t.socket ? "" : t.host?.includes(":") ? `[${t.host}]${port}` : `${t.host}${port}`;
  const q = extra.length ? `?${extra.join("&")}` : "";
  return `postgres://${user}${host}/${encodeURIComponent(t.database ?? "")}${q}`;
}

function splitHostPort(hostport: string): [string | undefined, string | undefined] {
  if (hostport === "") return [undefined, undefined];
  if (hostport.includes(",")) throw bad("several hosts in one URL are not supported");
  const v6 = /^\[([^\]]+)\](?::(.*))?$/.exec(hostport);
  if (v6) return [v6[1], v6[2]];
  const i = hostport.lastIndexOf(":");
  if (i < 0) return [hostport, undefined];
  return [hostport.slice(0, i) || undefined, hostport.slice(i + 1)];
}

function toPort(text: string | undefined): number {
  if (text === undefined || text === "") return DEFAULT_PORT;
  const port = Number(text);
  if (!/^\d{1,5}$/.test(text) || port < 1 || port > 65535)
    throw bad(`invalid port "${text.slice(0, 8)}"`);
  return port;
}

function toSslMode(text: string | undefined, local: boolean): SslMode {
  if (text === undefined) return local ? "disable" : "verify-full";
  if (!(SSL_MODES as readonly string[]).includes(text)) {
    throw bad(`invalid sslmode "${text.slice(0, 16)}" (one of ${SSL_MODES.join(", ")})`);
  }
  return text as SslMode;
}

function toTimeout(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  if (!/^\d{1,6}$/.test(text)) throw bad(`invalid connect_timeout "${text.slice(0, 8)}"`);
  return Number(text);
}

function param(params: URLSearchParams, key: string): string | undefined {
  return params.get(key) ?? undefined;
}

function decode(part: string | undefined): string | undefined {
  if (part === undefined) return undefined;
  try {
    return decodeURIComponent(part);
  } catch {
    throw bad("bad percent-encoding");
  }
}

function bad(why: string): UsageError {
  return new UsageError(`invalid PostgreSQL URL: ${why}`);
}
