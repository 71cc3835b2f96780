import { Database } from "bun:sqlite";
import { describe, expect, it } from "bun:test";
import { join } from "node:path";
import { migrationChecksums } from "../../../scripts/migration-checksums.ts";
import { IntegrityError } from "../../../src/errors.ts";
import { checksum, migrate, migrationStatus, schemaVersion } from "../../../src/store/migrate.ts";
import { latestVersion, migrations } from "../../../src/store/migrations.ts";
import { openDatabase } from "../../../src/store/open.ts";
import { tempDir } from "../../helpers/tmp.ts";

function tables(db: Database): string[] {
  return (
    db.query("SELECT name FROM sqlite_schema WHERE type = 'table' ORDER BY name").all() as {
      name: string;
    }[]
  ).map((r) => r.name);
}

describe("migrate", () => {
  it("should build into the binary the checksum of each bundled migration and no other", () => {
    expect(migrationChecksums()).toEqual(migrations.map((m) => checksum(m.sql)));
  });

  it("should apply every bundled migration to a fresh database", () => {
    const db = new Database(":memory:");
    expect(migrate(db)).toBe(latestVersion);
    expect(schemaVersion(db)).toBe(latestVersion);
    expect(tables(db)).toEqual(
      expect.arrayContaining(["coffer_migrations", "jobs", "messages", "sessions"]),
    );
    const status = migrationStatus(db);
    expect(status.map((m) => m.version)).toEqual(migrations.map((m) => m.version));
    for (const m of status) expect(m.appliedAt).not.toBeNull();
    expect(db.query("PRAGMA foreign_key_check").all()).toEqual([]);
  });

  it("should apply each migration step by step to the same result", () => {
    const stepwise = new Database(":memory:");
    for (let n = 1; n <= migrations.length; n++)
      migrate(stepwise, { migrations: migrations.slice(0, n) });
    const direct = new Database(":memory:");
    migrate(direct);
    const schema = (db: Database) =>
      db.query("SELECT type, name, sql FROM sqlite_schema ORDER BY name").all();
    expect(schema(stepwise)).toEqual(schema(direct));
  });

  it("should be a no-op when the schema is current", () => {
    const db = new Database(":memory:");
    migrate(db);
    const before = db.query("SELECT * FROM coffer_migrations").all();
    expect(migrate(db)).toBe(latestVersion);
    expect(db.query("SELECT * FROM coffer_migrations").all()).toEqual(before);
  });

  it("should refuse a store whose schema is newer than the binary, naming both versions", () => {
    const path = join(tempDir(), "c.db");
    openDatabase({ path }).close();
    const raw = new Database(path);
    raw.run(`PRAGMA user_version = ${latestVersion + 5}`);
    raw.close();
    expect(() => openDatabase({ path })).toThrow(
      new RegExp(
        `version ${latestVersion + 5} is newer than this coffer supports \\(${latestVersion}\\)`,
      ),
    );
  });

  it("should refuse an applied migration whose checksum does not match", () => {
    const path = join(tempDir(), "c.db");
    openDatabase({ path }).close();
    const raw = new Database(path);
    raw.run("UPDATE coffer_migrations SET checksum = ? WHERE version = 1", [
      checksum("something else"),
    ]);
    raw.close();
    expect(() => openDatabase({ path })).toThrow(IntegrityError);
    expect(() => openDatabase({ path })).toThrow(/checksum mismatch/);
  });

  it("should refuse a store whose migration row was deleted, naming the migration", () => {
    const path = join(tempDir(), "c.db");
    openDatabase({ path }).close();
    const raw = new Database(path);
    raw.run(`DELETE FROM coffer_migrations WHERE version = ${latestVersion}`);
    raw.close();
    expect(() => openDatabase({ path })).toThrow(IntegrityError);
    expect(() => openDatabase({ path })).toThrow(
      new RegExp(`migration ${latestVersion} \\(\\w+\\) is not recorded as applied`),
    );
  });

  it("should refuse a rolled-back user_version instead of migrating over the tables", () => {
    for (const version of [0, latestVersion - 1]) {
      const path = join(tempDir(), "c.db");
      openDatabase({ path }).close();
      const raw = new Database(path);
      raw.run(`PRAGMA user_version = ${version}`);
      raw.close();
      expect(() => openDatabase({ path })).toThrow(IntegrityError);
      expect(() => openDatabase({ path })).toThrow(
        new RegExp(`user_version is ${version} but migration ${version + 1} .* is recorded`),
      );
    }
  });

  it("should refuse a row for a migration this store never applied", () => {
    const path = join(tempDir(), "c.db");
    openDatabase({ path }).close();
    const raw = new Database(path);
    raw.run("INSERT INTO coffer_migrations VALUES (?, 'extra', 'x', 0)", [latestVersion + 1]);
    raw.close();
    expect(() => openDatabase({ path })).toThrow(IntegrityError);
  });

  it("should apply pending migrations all or nothing", () => {
    const db = new Database(":memory:");
    migrate(db, { migrations: migrations.slice(0, 1) });
    const broken = [
      ...migrations.slice(0, 1),
      { version: 2, name: "good", sql: "CREATE TABLE extra (x)" },
      { version: 3, name: "bad", sql: "CREATE TABLE oops (" },
    ];
    expect(() => migrate(db, { migrations: broken })).toThrow();
    expect(schemaVersion(db)).toBe(1);
    expect(tables(db)).not.toContain("extra");
  });
});
