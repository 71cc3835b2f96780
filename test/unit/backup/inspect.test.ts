// inspectBackup: every check passes on a fresh backup; every refusal case
// fails at the right check, with exit 5 (3 when missing), changing nothing.

import { describe, expect, it } from "bun:test";
import { existsSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { backupStore } from "../../../src/backup/backup.ts";
import { inspectBackup, reportError } from "../../../src/backup/inspect.ts";
import { NotFoundError } from "../../../src/errors.ts";
import { latestVersion } from "../../../src/store/migrations.ts";
import { badBackups } from "../../helpers/bad-backups.ts";
import { bytesOf, makeStore } from "../../helpers/stores.ts";
import { tempDir } from "../../helpers/tmp.ts";

const dir = tempDir();
const good = (await backupStore({ source: makeStore(dir), target: join(dir, "good.db") })).path;

describe("inspectBackup", () => {
  it("should pass every check on a fresh backup, reporting each as it runs", async () => {
    const seen: string[] = [];
    const report = await inspectBackup(good, { onCheck: (c) => seen.push(c.name) });
    expect(report.ok).toBe(true);
    expect(report.schemaVersion).toBe(latestVersion);
    expect(report.checks.map((c) => c.name)).toEqual([
      "sqlite header",
      "size",
      "self-contained",
      "application id",
      "schema version",
      "schema",
      "migrations",
      "integrity_check",
      "foreign_key_check",
      "vault",
    ]);
    expect(seen).toEqual(report.checks.map((c) => c.name));
  });

  it("should run FTS5's check on a private copy, leaving its bytes and no journal", async () => {
    const before = bytesOf(good);
    const report = await inspectBackup(good, { privateCopy: true });
    expect(report.ok).toBe(true);
    const fts = report.checks.find((c) => c.name === "fts integrity-check");
    expect(fts?.detail).toBe("the full-text index matches the messages");
    expect(bytesOf(good).equals(before)).toBe(true);
    expect(existsSync(`${good}-journal`)).toBe(false);
  });

  for (const bad of badBackups(dir, good)) {
    it(`should refuse ${bad.name}, changing nothing`, async () => {
      if (bad.code === 3) {
        expect(inspectBackup(bad.path)).rejects.toBeInstanceOf(NotFoundError);
        return;
      }
      const before = bytesOf(bad.path);
      if (bad.needsWrite) expect((await inspectBackup(bad.path)).ok).toBe(true);
      // The file is the test's own copy: the write check must leave its bytes as they were.
      const report = await inspectBackup(bad.path, { privateCopy: bad.needsWrite });
      expect(report.ok).toBe(false);
      expect(reportError(report).message).toMatch(bad.message);
      expect(reportError(report).code).toBe(5);
      expect(bytesOf(bad.path).equals(before)).toBe(true);
    });
  }

  it("should refuse a file with committed frames in a -wal beside it", async () => {
    writeFileSync(`${good}-wal`, "x".repeat(4096));
    try {
      const report = await inspectBackup(good);
      expect(reportError(report).message).toMatch(/self-contained/);
    } finally {
      writeFileSync(`${good}-wal`, "");
    }
  });
});
