// The schema coffer's migrations create, and the differences that mark a hostile backup.

import { Database } from "bun:sqlite";
import { describe, expect, it } from "bun:test";
import {
  expectedSchema,
  readSchema,
  schemaDifferences,
} from "../../../src/backup/expected-schema.ts";
import { migrate } from "../../../src/store/migrate.ts";
import { latestVersion } from "../../../src/store/migrations.ts";

function migrated(): Database {
  const db = new Database(":memory:");
  migrate(db);
  return db;
}

describe("expected schema", () => {
  it("should match a store made by the bundled migrations", () => {
    const db = migrated();
    expect(schemaDifferences(readSchema(db), expectedSchema(latestVersion))).toEqual([]);
  });

  it("should name a trigger, a view and a table coffer did not create", () => {
    const db = migrated();
    db.run("CREATE TRIGGER t AFTER INSERT ON jobs BEGIN SELECT load_extension('x'); END");
    db.run("CREATE VIEW v AS SELECT randomblob(8)");
    db.run("CREATE TABLE extra (x)");
    const problems = schemaDifferences(readSchema(db), expectedSchema(latestVersion));
    expect(problems).toContain("unexpected trigger 't'");
    expect(problems).toContain("unexpected view 'v'");
    expect(problems).toContain("unexpected table 'extra'");
  });

  it("should accept the full-text index's shadow tables and refuse a changed FTS trigger", () => {
    const db = migrated();
    const names = readSchema(db).map((o) => o.name);
    expect(names).toContain("messages_fts_data");
    db.run("DROP TRIGGER messages_fts_insert");
    db.run(
      "CREATE TRIGGER messages_fts_insert AFTER INSERT ON messages BEGIN SELECT randomblob(8); END",
    );
    db.run("CREATE VIRTUAL TABLE spy USING fts5(x)");
    const problems = schemaDifferences(readSchema(db), expectedSchema(latestVersion));
    expect(problems).toContain("trigger 'messages_fts_insert' differs from coffer's");
    expect(problems).toContain("unexpected table 'spy'");
    expect(problems).toContain("unexpected table 'spy_data'");
  });

  it("should notice a changed definition and a missing index", () => {
    const db = migrated();
    db.run("DROP INDEX messages_by_session");
    db.run("CREATE INDEX messages_by_session ON messages (id)");
    db.run("DROP INDEX jobs_live");
    const problems = schemaDifferences(readSchema(db), expectedSchema(latestVersion));
    expect(problems).toContain("index 'messages_by_session' differs from coffer's");
    expect(problems).toContain("missing index 'jobs_live'");
  });

  it("should accept the statistics tables ANALYZE writes", () => {
    const db = migrated();
    db.run("INSERT INTO sessions (id, created_at, updated_at) VALUES ('a', 0, 0)");
    db.run("ANALYZE");
    expect(schemaDifferences(readSchema(db), expectedSchema(latestVersion))).toEqual([]);
  });
});
