// The PostgreSQL engine's entry points: connect, then migrate, in one call.

import { connectPostgres, type PgConnection, type PgConnectOptions } from "./connect.ts";
import { migratePostgres } from "./migrate.ts";

export { connectPostgres, type PgConnection, type PgConnectOptions } from "./connect.ts";
export { mapPgError, sqlState } from "./errors.ts";
export { isPostgresUrl } from "./is-url.ts";
export { migratePostgres, pgMigrationStatus } from "./migrate.ts";
export { type PgTarget, parsePostgresUrl, redactUrl } from "./url.ts";

/** Connects to `url` and applies pending migrations; closes the pool if that fails. */
export async function openPostgres(
  url: string,
  options: PgConnectOptions = {},
): Promise<PgConnection> {
  const conn = await connectPostgres(url, options);
  try {
    await migratePostgres(conn);
    return conn;
  } catch (err) {
    await conn.close().catch(() => {});
    throw err;
  }
}
