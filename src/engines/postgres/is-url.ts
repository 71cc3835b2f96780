// Which engine a store target names, in a module of its own: every command
// asks, and the URL parser (./url.ts) is only for those that connect.

/** A postgres:// or postgresql:// URL is PostgreSQL; anything else is a SQLite file path. */
export function isPostgresUrl(target: string): boolean {
  return /^postgres(ql)?:\/\//i.test(target);
}
