// Names shared by both directions of the copy between SQLite and PostgreSQL.

/** Tables that belong to each engine's own machinery (migrations), never copied. */
export const OWN_TABLES = new Set(["coffer_migrations"]);

/** An identifier quoted the same way for both engines' SQL. */
export function quoteIdent(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}
