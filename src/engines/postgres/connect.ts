// Opens a pool of Bun.sql connections to a PostgreSQL target: the TLS rule is
// checked first, every connection gets the schema's search_path and lock_timeout.

import { SQL } from "bun";
import { mapPgError } from "./errors.ts";
import { type PgTarget, parsePostgresUrl } from "./url.ts";

export const DEFAULT_BUSY_TIMEOUT_MS = 5000;

export interface PgConnectOptions {
  /** How long a statement waits for a row or advisory lock before exit 6. */
  busyTimeoutMs?: number | undefined;
  /** Pool size (default 4: a CLI process needs few). */
  max?: number | undefined;
}

export interface PgConnection {
  sql: SQL;
  target: PgTarget;
  busyTimeoutMs: number;
  /** e.g. "15.18": the server's own version string. */
  serverVersion: string;
  close(): Promise<void>;
}

/** Bun.sql options for `target`; nothing is read from DATABASE_URL or PG* for host or TLS. */
export function sqlOptions(target: PgTarget, options: PgConnectOptions = {}): SQL.Options {
  const busy = options.busyTimeoutMs ?? DEFAULT_BUSY_TIMEOUT_MS;
  return {
    ...(target.socket ? { path: target.socket } : { hostname: target.host }),
    port: target.port,
    username: target.user,
    password: target.password,
    database: target.database ?? target.user,
    ...(target.sslrootcert ? { tls: { caFile: target.sslrootcert } } : {}),
    max: options.max ?? 4,
    connectionTimeout: target.connectTimeout ?? 10,
    connection: {
      search_path: `"${target.schema}"`,
      lock_timeout: `${busy}ms`,
      application_name: target.applicationName ?? "coffer",
    },
  } as SQL.Options;
}

/** Connects to `url` (refusing plaintext to remote hosts before any I/O) and checks the server answers. */
export async function connectPostgres(
  url: string,
  options: PgConnectOptions = {},
): Promise<PgConnection> {
  const target = parsePostgresUrl(url);
  // A connection string as first argument keeps Bun from reading DATABASE_URL;
  // its sslmode outranks PGSSLMODE. It carries no host, user or password.
  const sql = new SQL(
    `postgres://localhost/?sslmode=${target.sslmode}`,
    sqlOptions(target, options),
  );
  try {
    const [row] = await sql`SELECT current_setting('server_version') AS version`;
    return {
      sql,
      target,
      busyTimeoutMs: options.busyTimeoutMs ?? DEFAULT_BUSY_TIMEOUT_MS,
      serverVersion: String(row.version),
      close: () => sql.close(),
    };
  } catch (err) {
    await sql.close().catch(() => {});
    throw mapPgError(err, target);
  }
}
