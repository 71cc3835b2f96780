import { Database } from "bun:sqlite";
import { describe, expect, it } from "bun:test";
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { IntegrityError, IoError, NotFoundError, UsageError } from "../../../src/errors.ts";
import { APPLICATION_ID } from "../../../src/store/migrate.ts";
import { latestVersion } from "../../../src/store/migrations.ts";
import { openDatabase } from "../../../src/store/open.ts";
import { openStore } from "../../../src/store/store.ts";
import { tempDir } from "../../helpers/tmp.ts";

function pragma(db: Database, name: string): unknown {
  return Object.values(db.query(`PRAGMA ${name}`).get() as object)[0];
}

function withUmask<T>(mask: number, fn: () => T): T {
  const old = process.umask(mask);
  try {
    return fn();
  } finally {
    process.umask(old);
  }
}

describe("openDatabase", () => {
  it("should create missing parents 0700 and the file 0600 whatever the umask", () => {
    for (const mask of [0o022, 0o000]) {
      const root = tempDir();
      const path = join(root, "a", "b", "coffer.db");
      withUmask(mask, () => {
        const db = openDatabase({ path });
        db.run("CREATE TABLE IF NOT EXISTS t (x)"); // forces -wal and -shm into existence
        expect(statSync(`${path}-wal`).mode & 0o777).toBe(0o600);
        expect(statSync(`${path}-shm`).mode & 0o777).toBe(0o600);
        db.close();
      });
      expect(statSync(join(root, "a")).mode & 0o777).toBe(0o700);
      expect(statSync(join(root, "a", "b")).mode & 0o777).toBe(0o700);
      expect(statSync(path).mode & 0o777).toBe(0o600);
    }
  });

  it("should set and verify every PRAGMA of SPEC §3", () => {
    const db = openDatabase({ path: join(tempDir(), "c.db") });
    expect(pragma(db, "journal_mode")).toBe("wal");
    expect(pragma(db, "synchronous")).toBe(1); // NORMAL
    expect(pragma(db, "foreign_keys")).toBe(1);
    expect(pragma(db, "cache_size")).toBe(-16000);
    expect(pragma(db, "temp_store")).toBe(2); // MEMORY
    expect(pragma(db, "secure_delete")).toBe(1);
    expect(pragma(db, "trusted_schema")).toBe(0);
    expect(pragma(db, "busy_timeout")).toBe(5000);
    expect(pragma(db, "application_id")).toBe(APPLICATION_ID);
    expect(pragma(db, "user_version")).toBe(latestVersion);
    db.close();
  });

  it("should honour synchronous and busy timeout options", () => {
    const db = openDatabase({
      path: join(tempDir(), "c.db"),
      synchronous: "FULL",
      busyTimeoutMs: 1234,
    });
    expect(pragma(db, "synchronous")).toBe(2);
    expect(pragma(db, "busy_timeout")).toBe(1234);
    db.close();
  });

  it("should refuse a path that is a directory with an I/O error", () => {
    const dir = tempDir();
    expect(() => openDatabase({ path: dir })).toThrow(IoError);
  });

  it("should refuse a file that is not SQLite as an integrity error", () => {
    const path = join(tempDir(), "notes.txt");
    writeFileSync(path, "these are my notes, not a database\n".repeat(200));
    const before = readFileSync(path);
    expect(() => openDatabase({ path })).toThrow(IntegrityError);
    expect(readFileSync(path).equals(before)).toBe(true);
  });

  it("should refuse another application's SQLite file without changing it", () => {
    const path = join(tempDir(), "other.db");
    const other = new Database(path);
    other.run("CREATE TABLE mine (x)");
    other.close();
    const before = readFileSync(path);
    expect(() => openDatabase({ path })).toThrow(/not a coffer store/);
    expect(readFileSync(path).equals(before)).toBe(true);
    expect(existsSync(`${path}-wal`)).toBe(false);
  });

  it("should not create a missing store when asked not to", () => {
    const path = join(tempDir(), "missing.db");
    expect(() => openDatabase({ path, create: false })).toThrow(NotFoundError);
    expect(existsSync(path)).toBe(false);
  });

  it("should refuse an in-memory store", () => {
    expect(() => openDatabase({ path: ":memory:" })).toThrow(UsageError);
  });

  it("should refuse a store whose parent is a file with an I/O error", () => {
    const file = join(tempDir(), "plain-file");
    writeFileSync(file, "x");
    expect(() => openDatabase({ path: join(file, "c.db") })).toThrow(IoError);
  });

  // Root ignores directory modes, so this runs only as an ordinary user.
  it.skipIf(process.getuid?.() === 0)(
    "should refuse to create a store in a read-only directory",
    () => {
      const dir = join(tempDir(), "ro");
      mkdirSync(dir, { mode: 0o500 });
      expect(() => openDatabase({ path: join(dir, "c.db") })).toThrow(IoError);
    },
  );
});

describe("Store.close", () => {
  it("should leave no -wal or -shm after a clean close", () => {
    const path = join(tempDir(), "c.db");
    const store = openStore({ path });
    store.sessions.create({ channel: "test" });
    store.queue.enqueue("q", { n: 1 });
    expect(existsSync(`${path}-wal`)).toBe(true);
    store.close();
    expect(existsSync(`${path}-wal`)).toBe(false);
    expect(existsSync(`${path}-shm`)).toBe(false);
    const copy = new Database(path, { readonly: true });
    expect((copy.query("SELECT count(*) AS n FROM sessions").get() as { n: number }).n).toBe(1);
    copy.close();
  });

  it("should be idempotent and usable with `using`", () => {
    const path = join(tempDir(), "c.db");
    {
      using store = openStore({ path });
      store.sessions.create();
      store.close();
    }
    expect(existsSync(`${path}-wal`)).toBe(false);
  });
});

describe("one connection per process", () => {
  it("should share the connection between stores of the same file, so their writes nest", () => {
    const dir = tempDir();
    const path = join(dir, "c.db");
    const a = openStore({ path });
    const b = openStore({ path: join(dir, ".", "c.db") });
    expect(b.db).toBe(a.db);
    a.write(() => {
      a.sessions.create({ id: "s" });
      b.messages.append("s", { role: "user", content: "joined the same transaction" });
    });
    a.close();
    expect(b.messages.count("s")).toBe(1); // still open: b holds the connection
    b.close();
    expect(existsSync(`${path}-wal`)).toBe(false);
    const c = openStore({ path });
    expect(c.db).not.toBe(a.db);
    c.close();
  });
});
