// backupStore: the default path and modes, a live store with uncommitted WAL,
// deleted secrets absent from the bytes, refusals, abort and the VACUUM INTO fallback.

import { Database } from "bun:sqlite";
import { afterAll, beforeAll, describe, expect, it } from "bun:test";
import { mkdirSync, readdirSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { backupStore, defaultBackupPath } from "../../../src/backup/backup.ts";
import { IoError, NotFoundError, UsageError } from "../../../src/errors.ts";
import { latestVersion } from "../../../src/store/migrations.ts";
import { openStore } from "../../../src/store/store.ts";
import { bytesOf, contains, dump, makeStore } from "../../helpers/stores.ts";
import { tempDir } from "../../helpers/tmp.ts";

let umask: number;
beforeAll(() => {
  umask = process.umask(0o022);
});
afterAll(() => {
  process.umask(umask);
});

describe("backupStore", () => {
  it("should write a 0600 self-contained copy into a 0700 backups/ folder by default", async () => {
    const dir = tempDir();
    const store = makeStore(dir);
    const result = await backupStore({ source: store, now: () => Date.UTC(2026, 0, 2, 3, 4, 5) });
    expect(result.path).toBe(join(dir, "backups", "coffer-20260102T030405Z.db"));
    expect(result.path).toBe(defaultBackupPath(store, Date.UTC(2026, 0, 2, 3, 4, 5)));
    expect(statSync(result.path).mode & 0o777).toBe(0o600);
    expect(statSync(join(dir, "backups")).mode & 0o777).toBe(0o700);
    expect(result.bytes).toBe(statSync(result.path).size);
    expect(result.schemaVersion).toBe(latestVersion);
    expect(result.method).toBe("file-copy");
    expect(dump(result.path)).toEqual(dump(store));
    const db = new Database(result.path, { readonly: true });
    expect(db.query("PRAGMA journal_mode").get()).toEqual({ journal_mode: "delete" });
    db.close();
    expect(readdirSync(join(dir, "backups"))).toEqual(["coffer-20260102T030405Z.db"]);
  });

  it("should copy a store that is open in this process with uncheckpointed writes", async () => {
    const dir = tempDir();
    const path = makeStore(dir);
    using store = openStore({ path });
    store.db.run("PRAGMA wal_autocheckpoint = 0");
    store.sessions.create({ id: "late" });
    const result = await backupStore({ source: path, target: join(dir, "b.db") });
    expect(dump(result.path)).toEqual(dump(path));
  });

  it("should not carry deleted secret content", async () => {
    const dir = tempDir();
    const path = makeStore(dir);
    const secret = "sk-live-DELETED-0123456789abcdef";
    {
      // No redaction: the test needs the token-shaped text stored as it is.
      using store = openStore({ path, redact: (t) => t });
      store.sessions.create({ id: "doomed" });
      store.messages.append("doomed", {
        role: "user",
        content: `${secret} ${"x".repeat(9000)} ${secret}`,
      });
    }
    const before = await backupStore({ source: path, target: join(dir, "before.db") });
    expect(contains(bytesOf(before.path), secret)).toBe(true); // the test can see it when present
    {
      using store = openStore({ path });
      store.sessions.delete("doomed");
    }
    const after = await backupStore({ source: path, target: join(dir, "after.db") });
    expect(contains(bytesOf(after.path), secret)).toBe(false);
  });

  it("should refuse an existing target unless forced", async () => {
    const dir = tempDir();
    const store = makeStore(dir);
    const target = join(dir, "b.db");
    writeFileSync(target, "keep me");
    expect(backupStore({ source: store, target })).rejects.toBeInstanceOf(UsageError);
    expect(bytesOf(target).toString()).toBe("keep me");
    await backupStore({ source: store, target, force: true });
    expect(dump(target)).toEqual(dump(store));
    expect(readdirSync(dir).sort()).toEqual(["b.db", "coffer.db"]);
  });

  it("should refuse a target in a missing directory, leaving nothing", async () => {
    const dir = tempDir();
    const store = makeStore(dir);
    expect(
      backupStore({ source: store, target: join(dir, "nope", "b.db") }),
    ).rejects.toBeInstanceOf(NotFoundError);
    expect(readdirSync(dir)).toEqual(["coffer.db"]);
  });

  it("should refuse a missing store", async () => {
    const dir = tempDir();
    expect(
      backupStore({ source: join(dir, "none.db"), target: join(dir, "b.db") }),
    ).rejects.toBeInstanceOf(NotFoundError);
  });

  it("should remove its temp file when aborted mid-copy", async () => {
    const dir = tempDir();
    const store = makeStore(dir);
    const controller = new AbortController();
    const target = join(dir, "b.db");
    const run = backupStore({
      source: store,
      target,
      signal: controller.signal,
      onProgress: (p) => {
        if (p.phase === "copy" && p.bytesDone > 0) {
          expect(readdirSync(dir).some((n) => n.includes(".coffer-tmp-"))).toBe(true);
          controller.abort();
        }
      },
    });
    expect(run).rejects.toBeInstanceOf(IoError);
    await run.catch(() => {});
    expect(readdirSync(dir)).toEqual(["coffer.db"]);
  });

  it("should sweep a temp file left by a killed process", async () => {
    const dir = tempDir();
    const store = makeStore(dir);
    const stale = join(dir, ".b.db.coffer-tmp-999999999-abc");
    writeFileSync(stale, "half a backup");
    await backupStore({ source: store, target: join(dir, "b.db") });
    expect(readdirSync(dir).sort()).toEqual(["b.db", "coffer.db"]);
  });

  it("should write into a directory given as the target", async () => {
    const dir = tempDir();
    const store = makeStore(dir);
    mkdirSync(join(dir, "out"));
    const result = await backupStore({ source: store, target: join(dir, "out") });
    expect(result.path.startsWith(join(dir, "out", "coffer-"))).toBe(true);
  });
});

describe("backupStore fallback", () => {
  it("should copy through VACUUM INTO when an old reader pins WAL frames", async () => {
    const { startFixture } = await import("../../helpers/spawn.ts");
    const dir = tempDir();
    const path = makeStore(dir);
    using store = openStore({ path });
    const reader = await startFixture("hold-store.ts", [path, "read"]);
    try {
      store.sessions.create({ id: "newer-than-the-reader" });
      const result = await backupStore({ source: path, target: join(dir, "b.db") });
      expect(result.method).toBe("vacuum-into");
      expect(statSync(result.path).mode & 0o777).toBe(0o600);
      expect(dump(result.path)).toEqual(dump(path));
      const db = new Database(result.path, { readonly: true });
      expect(db.query("PRAGMA journal_mode").get()).toEqual({ journal_mode: "delete" });
      expect(db.query("PRAGMA freelist_count").get()).toEqual({ freelist_count: 0 });
      db.close();
    } finally {
      await reader.kill();
    }
  });
});

describe("backupStore refusals", () => {
  it("should refuse to write over the store itself, even with force", async () => {
    const dir = tempDir();
    const store = makeStore(dir);
    const before = bytesOf(store);
    expect(backupStore({ source: store, target: store, force: true })).rejects.toBeInstanceOf(
      UsageError,
    );
    expect(bytesOf(store).equals(before)).toBe(true);
  });
});
