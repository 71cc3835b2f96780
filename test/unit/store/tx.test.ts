import { Database } from "bun:sqlite";
import { describe, expect, it } from "bun:test";
import { join } from "node:path";
import { BusyError, InternalError } from "../../../src/errors.ts";
import { writeTransaction } from "../../../src/store/tx.ts";
import { testStore } from "../../helpers/store.ts";
import { tempDir } from "../../helpers/tmp.ts";

function count(db: Database): number {
  return (db.query("SELECT count(*) AS n FROM t").get() as { n: number }).n;
}

function fresh(): Database {
  const db = new Database(join(tempDir(), "t.db"));
  db.run("PRAGMA journal_mode = WAL");
  db.run("CREATE TABLE t (x)");
  return db;
}

/** Starts a process that holds the write lock of `path` for `ms`, and waits until it has it. */
async function holdWriteLock(path: string, ms: number): Promise<Bun.Subprocess> {
  const script = `const { Database } = require("bun:sqlite");
    const db = new Database(${JSON.stringify(path)});
    db.run("BEGIN IMMEDIATE"); console.log("locked");
    setTimeout(() => { db.run("COMMIT"); db.close(); }, ${ms});`;
  const child = Bun.spawn(["bun", "-e", script], { stdout: "pipe" });
  const reader = child.stdout.getReader();
  await reader.read();
  reader.releaseLock();
  return child;
}

describe("writeTransaction", () => {
  it("should commit what the callback wrote and return its result", () => {
    const db = fresh();
    expect(writeTransaction(db, () => db.run("INSERT INTO t VALUES (1)").changes)).toBe(1);
    expect(count(db)).toBe(1);
  });

  it("should roll back everything when the callback throws", () => {
    const db = fresh();
    expect(() =>
      writeTransaction(db, () => {
        db.run("INSERT INTO t VALUES (1)");
        throw new Error("boom");
      }),
    ).toThrow("boom");
    expect(count(db)).toBe(0);
    expect(db.inTransaction).toBe(false);
  });

  it("should refuse an async callback and roll it back", () => {
    const db = fresh();
    const asyncFn = (async () => {
      db.run("INSERT INTO t VALUES (1)");
    }) as unknown as () => void;
    expect(() => writeTransaction(db, asyncFn)).toThrow(InternalError);
    expect(count(db)).toBe(0);
  });

  it("should join an outer transaction, so a failure undoes both", () => {
    const { store } = testStore();
    const session = store.sessions.create();
    expect(() =>
      store.write(() => {
        store.messages.append(session.id, { role: "user", content: "hi" });
        store.queue.enqueue("replies", { session: session.id });
        throw new Error("crash before commit");
      }),
    ).toThrow("crash before commit");
    expect(store.messages.count(session.id)).toBe(0);
    expect(store.queue.stats("replies")[0]?.pending).toBe(0);
    store.write(() => {
      store.messages.append(session.id, { role: "user", content: "hi" });
      store.queue.enqueue("replies", { session: session.id });
    });
    expect(store.messages.count(session.id)).toBe(1);
    expect(store.queue.stats("replies")[0]?.pending).toBe(1);
  });

  it("should wait for another process's write lock to be released", async () => {
    const db = fresh();
    const child = await holdWriteLock(db.filename, 300);
    db.run("PRAGMA busy_timeout = 3000");
    writeTransaction(db, () => db.run("INSERT INTO t VALUES (1)"), { busyTimeoutMs: 3000 });
    expect(count(db)).toBe(1);
    await child.exited;
  });

  it("should give up with a BusyError when the lock is held beyond the timeout", async () => {
    const db = fresh();
    const child = await holdWriteLock(db.filename, 2000);
    db.run("PRAGMA busy_timeout = 100");
    expect(() =>
      writeTransaction(db, () => db.run("INSERT INTO t VALUES (1)"), { busyTimeoutMs: 200 }),
    ).toThrow(BusyError);
    child.kill();
    await child.exited;
    expect(count(db)).toBe(0);
  });

  it("should make a durable transaction run with synchronous FULL and restore the level", () => {
    const db = fresh();
    db.run("PRAGMA synchronous = NORMAL");
    let inside = -1;
    writeTransaction(
      db,
      () => {
        inside = (db.query("PRAGMA synchronous").get() as { synchronous: number }).synchronous;
      },
      { durable: true },
    );
    expect(inside).toBe(2);
    expect((db.query("PRAGMA synchronous").get() as { synchronous: number }).synchronous).toBe(1);
  });
});
