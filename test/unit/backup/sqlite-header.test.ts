// The SQLite header read without SQLite, and the switch to rollback-journal mode.

import { Database } from "bun:sqlite";
import { describe, expect, it } from "bun:test";
import { closeSync, openSync } from "node:fs";
import { join } from "node:path";
import { parseHeader, readHeader, setRollbackJournal } from "../../../src/backup/sqlite-header.ts";
import { APPLICATION_ID } from "../../../src/store/migrate.ts";
import { latestVersion } from "../../../src/store/migrations.ts";
import { makeStore } from "../../helpers/stores.ts";
import { tempDir } from "../../helpers/tmp.ts";

describe("sqlite header", () => {
  it("should read page size, WAL mode, application id and schema version of a store", () => {
    const path = makeStore(tempDir());
    const { header, size } = readHeader(path);
    expect(header?.pageSize).toBe(4096);
    expect(header?.writeVersion).toBe(2);
    expect(header?.applicationId).toBe(APPLICATION_ID);
    expect(header?.schemaVersion).toBe(latestVersion);
    expect(size % 4096).toBe(0);
  });

  it("should refuse bytes that are not a SQLite header", () => {
    expect(parseHeader(new Uint8Array(100))).toBeUndefined();
    expect(parseHeader(new TextEncoder().encode("SQLite format 3\0"))).toBeUndefined();
  });

  it("should switch a WAL file to rollback-journal mode", () => {
    const path = makeStore(tempDir());
    const fd = openSync(path, "r+");
    setRollbackJournal(fd);
    closeSync(fd);
    expect(readHeader(path).header?.writeVersion).toBe(1);
    const db = new Database(path, { readonly: true });
    expect(db.query("PRAGMA journal_mode").get()).toEqual({ journal_mode: "delete" });
    db.close();
    expect(readHeader(join(path)).header?.readVersion).toBe(1);
  });
});
