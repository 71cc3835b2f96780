// restoreStore with real processes: round trip, safety copies, a stale -wal
// never replayed, refusals that leave the store byte-identical.

import { Database } from "bun:sqlite";
import { afterAll, beforeAll, describe, expect, it } from "bun:test";
import { copyFileSync, existsSync, readdirSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { backupStore } from "../../../src/backup/backup.ts";
import { restoreStore } from "../../../src/backup/restore.ts";
import { BusyError } from "../../../src/errors.ts";
import { latestVersion, migrations } from "../../../src/store/migrations.ts";
import { openStore } from "../../../src/store/store.ts";
import { badBackups } from "../../helpers/bad-backups.ts";
import { startFixture } from "../../helpers/spawn.ts";
import { bytesOf, dump, makeStore } from "../../helpers/stores.ts";
import { tempDir } from "../../helpers/tmp.ts";

let umask: number;
beforeAll(() => {
  umask = process.umask(0o022);
});
afterAll(() => {
  process.umask(umask);
});

/** A store at dir/coffer.db and a backup of it, after which the store moves on. */
async function scenario() {
  const dir = tempDir();
  const store = makeStore(dir, "coffer.db", "old");
  const backup = (await backupStore({ source: store, target: join(dir, "backup.db") })).path;
  {
    using s = openStore({ path: store });
    s.sessions.create({ id: "after-backup" });
  }
  return { dir, store, backup };
}

function journalMode(path: string): string {
  const db = new Database(path);
  try {
    return (db.query("PRAGMA journal_mode").get() as { journal_mode: string }).journal_mode;
  } finally {
    db.close();
  }
}

describe("restoreStore", () => {
  it("should restore the backup's data, keep the old store as a 0600 safety copy, and leave WAL mode", async () => {
    const { dir, store, backup } = await scenario();
    const old = dump(store);
    const result = await restoreStore({ source: backup, store });
    expect(result.safetyCopy).toBe(`${store}.pre-restore`);
    expect(dump(store)).toEqual(dump(backup));
    expect(dump(`${store}.pre-restore`)).toEqual(old);
    expect(statSync(`${store}.pre-restore`).mode & 0o777).toBe(0o600);
    expect(statSync(store).mode & 0o777).toBe(0o600);
    expect(journalMode(store)).toBe("wal");
    expect(readdirSync(dir).sort()).toEqual(["backup.db", "coffer.db", "coffer.db.pre-restore"]);
    using s = openStore({ path: store }); // and it keeps working
    s.queue.enqueue("q", { after: "restore" });
    expect(s.queue.stats("q")[0]?.pending).toBe(2);
  });

  it("should pick a new safety copy name when one exists", async () => {
    const { store, backup } = await scenario();
    await restoreStore({ source: backup, store });
    const second = await restoreStore({ source: backup, store });
    expect(second.safetyCopy).toBe(`${store}.pre-restore.1`);
  });

  it("should never replay a stale -wal into the restored file", async () => {
    const { store, backup } = await scenario();
    const crashed = await startFixture("hold-store.ts", [store, "crash"]);
    await crashed.kill("SIGKILL");
    expect(statSync(`${store}-wal`).size).toBeGreaterThan(0); // committed frames, never checkpointed
    await restoreStore({ source: backup, store });
    expect(dump(store)).toEqual(dump(backup));
    const kept = dump(`${store}.pre-restore`) as { sessions: { id: string }[] };
    expect(kept.sessions.map((s) => s.id)).toContain("from-crashed-writer");
  });

  it("should refuse while another process keeps the store open, changing nothing", async () => {
    const { store, backup } = await scenario();
    const holder = await startFixture("hold-store.ts", [store, "hold"]);
    try {
      const before = bytesOf(store);
      await expect(
        restoreStore({ source: backup, store, busyTimeoutMs: 200 }),
      ).rejects.toBeInstanceOf(BusyError);
      expect(bytesOf(store).equals(before)).toBe(true);
      expect(existsSync(`${store}.pre-restore`)).toBe(false);
    } finally {
      await holder.kill();
    }
  });

  it("should change nothing when not confirmed", async () => {
    const { dir, store, backup } = await scenario();
    const before = bytesOf(store);
    const result = await restoreStore({ source: backup, store, confirm: () => false });
    expect(result.cancelled).toBe(true);
    expect(bytesOf(store).equals(before)).toBe(true);
    expect(readdirSync(dir).sort()).toEqual(["backup.db", "coffer.db"]);
  });

  it("should place the backup when there is no store yet", async () => {
    const { dir, backup } = await scenario();
    const store = join(dir, "new", "coffer.db");
    const result = await restoreStore({ source: backup, store });
    expect(result.safetyCopy).toBeNull();
    expect(dump(store)).toEqual(dump(backup));
    expect(statSync(join(dir, "new")).mode & 0o777).toBe(0o700);
  });

  it("should refuse every invalid backup with the store byte-identical", async () => {
    const { dir, store, backup } = await scenario();
    const before = bytesOf(store);
    for (const bad of badBackups(dir, backup)) {
      const error = await restoreStore({ source: bad.path, store }).catch((e) => e);
      expect(error.code, bad.name).toBe(bad.code);
      expect(error.message, bad.name).toMatch(bad.message);
      expect(bytesOf(store).equals(before), bad.name).toBe(true);
      expect(
        readdirSync(dir).filter((n) => n.startsWith(".") || n.includes("pre-restore")),
      ).toEqual([]);
    }
  });

  it("should create nothing for an invalid backup when there is no store yet", async () => {
    const { dir, backup } = await scenario();
    const bad = badBackups(dir, backup).find((b) => b.name === "random bytes");
    const error = await restoreStore({
      source: bad?.path ?? "",
      store: join(dir, "new", "c.db"),
    }).catch((e) => e);
    expect(error.code).toBe(5);
    expect(existsSync(join(dir, "new"))).toBe(false);
  });

  it("should accept a plain copy of a cleanly closed store", async () => {
    const { dir, store, backup } = await scenario();
    const copy = join(dir, "copy.db");
    copyFileSync(store, copy);
    await restoreStore({ source: copy, store: join(dir, "other.db") });
    expect(dump(join(dir, "other.db"))).toEqual(dump(store));
    expect(backup).toBeDefined();
  });
});

describe("restoreStore of an older schema", () => {
  it.skipIf(latestVersion < 2)(
    "should migrate a backup made by an older coffer after placing it",
    async () => {
      const dir = tempDir();
      const old = join(dir, "old.db");
      openStore({ path: old, migrations: migrations.slice(0, 1) }).close();
      const backup = (await backupStore({ source: old, target: join(dir, "old-backup.db") })).path;
      const store = makeStore(dir);
      const result = await restoreStore({ source: backup, store });
      expect(result.restoredVersion).toBe(1);
      expect(result.schemaVersion).toBe(latestVersion);
    },
  );
});

describe("restoreStore refusals", () => {
  it("should refuse to restore the store onto itself", async () => {
    const dir = tempDir();
    const store = makeStore(dir);
    const error = await restoreStore({ source: store, store }).catch((e) => e);
    expect(error.code).toBe(2);
    expect(readdirSync(dir)).toEqual(["coffer.db"]);
  });
});

describe("restoreStore leftovers", () => {
  it("should sweep temp files a killed restore left beside the store", async () => {
    const { dir, store, backup } = await scenario();
    const stale = [
      ".coffer.db.coffer-tmp-999999999-x",
      ".coffer.db.pre-restore.coffer-tmp-999999998-y",
    ];
    for (const name of stale) writeFileSync(join(dir, name), "half");
    await restoreStore({ source: backup, store });
    expect(readdirSync(dir).filter((n) => n.startsWith("."))).toEqual([]);
  });
});
