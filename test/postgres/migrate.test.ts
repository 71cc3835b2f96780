// PostgreSQL migrations: the SQLite schema's tables and columns, applied once
// however many processes connect at once, newer or edited schemas refused.

import { Database } from "bun:sqlite";
import { describe, expect, test } from "bun:test";
import { connectPostgres } from "../../src/engines/postgres/connect.ts";
import { openPostgres } from "../../src/engines/postgres/index.ts";
import { pgMigrationStatus } from "../../src/engines/postgres/migrate.ts";
import { pgLatestVersion, pgMigrations } from "../../src/engines/postgres/migrations.ts";
import { CofferError } from "../../src/errors.ts";
import { migrations } from "../../src/store/migrations.ts";
import { freshDatabase, pgServer } from "../helpers/pg-server.ts";
import { finish, startFixture } from "../helpers/procs.ts";

const pg = await pgServer();

/**
 * table -> its column names, in order, as the SQLite migrations make them. The
 * FTS5 index (a virtual table and its shadow tables) is SQLite's own: PostgreSQL
 * searches through an expression index instead.
 */
function sqliteColumns(): Record<string, string[]> {
  const db = new Database(":memory:");
  for (const m of migrations) db.run(m.sql);
  const tables = db
    .query(
      `SELECT name FROM sqlite_schema t WHERE type = 'table' AND NOT EXISTS (SELECT 1
         FROM sqlite_schema v WHERE v.sql LIKE 'CREATE VIRTUAL TABLE%' AND t.name LIKE v.name || '%')`,
    )
    .all() as { name: string }[];
  const out: Record<string, string[]> = {};
  for (const { name } of tables) {
    const cols = db.query(`PRAGMA table_info(${name})`).all() as { name: string }[];
    out[name] = cols.map((c) => c.name);
  }
  db.close();
  return out;
}

async function refused(url: string): Promise<CofferError> {
  const err = await openPostgres(url).then(
    async (c) => {
      await c.close();
      return new Error("opened");
    },
    (e) => e,
  );
  expect(err).toBeInstanceOf(CofferError);
  return err;
}

describe.skipIf(!pg)("migratePostgres", () => {
  if (!pg) return;

  test("a fresh database gets the SQLite schema's tables and columns in schema coffer", async () => {
    const db = await freshDatabase(pg);
    const conn = await openPostgres(db.url);
    const rows = await conn.sql`SELECT table_name, column_name FROM information_schema.columns
      WHERE table_schema = 'coffer' AND table_name <> 'coffer_migrations'
      ORDER BY table_name, ordinal_position`;
    const pgCols: Record<string, string[]> = {};
    for (const r of rows) pgCols[r.table_name] = [...(pgCols[r.table_name] ?? []), r.column_name];
    const expected = sqliteColumns();
    delete expected.sqlite_sequence;
    expect(pgCols).toEqual(expected);
    const status = await pgMigrationStatus(conn);
    expect(status.map((s) => s.version)).toEqual(pgMigrations.map((m) => m.version));
    expect(status.every((s) => typeof s.appliedAt === "number" && s.appliedAt > 0)).toBe(true);
    await conn.close();
  });

  test("reconnecting applies nothing again", async () => {
    const db = await freshDatabase(pg);
    await (await openPostgres(db.url)).close();
    const conn = await openPostgres(db.url);
    const [row] =
      await conn.sql`SELECT count(*)::int AS n, max(version) AS v FROM coffer_migrations`;
    expect(row).toEqual({ n: pgLatestVersion, v: pgLatestVersion });
    await conn.close();
  });

  test("8 processes connecting at once to a fresh database: all succeed, each migration once", async () => {
    const db = await freshDatabase(pg);
    const startAt = String(Date.now() + 1500);
    const procs = Array.from({ length: 8 }, () => startFixture("pg-migrate", [db.url, startAt]));
    const results = await Promise.all(procs.map(finish));
    for (const r of results) {
      expect(r.stderr).toBe("");
      expect(r.code).toBe(0);
      expect(r.stdout.trim()).toBe(String(pgLatestVersion));
    }
    const conn = await connectPostgres(db.url);
    const [row] = await conn.sql`SELECT count(*)::int AS n FROM coffer_migrations`;
    expect(row.n).toBe(pgLatestVersion);
    await conn.close();
  });

  test("a newer schema is refused with exit 5, naming both versions", async () => {
    const db = await freshDatabase(pg);
    const conn = await openPostgres(db.url);
    await conn.sql`INSERT INTO coffer_migrations VALUES (99, 'future', 'x', 0)`;
    await conn.close();
    const err = await refused(db.url);
    expect(err.code).toBe(5);
    expect(err.message).toContain("99");
    expect(err.message).toContain(`(${pgLatestVersion})`);
  });

  test("an edited migration (checksum mismatch) is refused with exit 5", async () => {
    const db = await freshDatabase(pg);
    const conn = await openPostgres(db.url);
    await conn.sql`UPDATE coffer_migrations SET checksum = repeat('0', 64) WHERE version = 1`;
    await conn.close();
    const err = await refused(db.url);
    expect(err.code).toBe(5);
    expect(err.message).toContain("migration 1 (init)");
    expect(err.message).toContain("checksum mismatch");
  });

  test("?schema=other is a separate store in the same database", async () => {
    const db = await freshDatabase(pg);
    const main = await openPostgres(db.url);
    const other = await openPostgres(`${db.url}?schema=other`);
    await main.sql`INSERT INTO sessions (id, created_at, updated_at) VALUES ('in-coffer', 1, 1)`;
    await other.sql`INSERT INTO sessions (id, created_at, updated_at) VALUES ('in-other', 2, 2)`;
    expect((await main.sql`SELECT id FROM sessions`).map((r: { id: string }) => r.id)).toEqual([
      "in-coffer",
    ]);
    expect((await other.sql`SELECT id FROM sessions`).map((r: { id: string }) => r.id)).toEqual([
      "in-other",
    ]);
    const schemas = await main.sql`SELECT count(*)::int AS n FROM information_schema.tables
      WHERE table_name = 'coffer_migrations' AND table_schema IN ('coffer', 'other')`;
    expect(schemas[0].n).toBe(2);
    await Promise.all([main.close(), other.close()]);
  });
});
