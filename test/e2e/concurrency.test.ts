// Many processes writing to one store at once: library writers and real
// `coffer` invocations side by side. Every write must land and no caller may
// ever see SQLITE_BUSY (or any error).

import { describe, expect, test } from "bun:test";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { openStore } from "../../src/index.ts";
import { coffer, ensureBinary } from "../helpers/binary.ts";
import { type Finished, runAll, startFixture } from "../helpers/procs.ts";
import { tempDir } from "../helpers/tmp.ts";

const WRITERS = 8;
const ROUNDS = 300;
const CLI_LOOPS = 2;
const CLI_ROUNDS = 25;

interface WriterTally {
  sessions: number;
  messages: number;
  enqueued: number;
  acked: number[];
}
interface CliTally {
  enqueued: number;
  acked: number[];
  failures: string[];
}

function expectClean(results: Finished[]): void {
  for (const r of results) {
    expect({ code: r.code, signal: r.signal, stderr: r.stderr }).toEqual({
      code: 0,
      signal: null,
      stderr: "",
    });
  }
}

describe("concurrent writers", () => {
  test(`${WRITERS} library processes and ${CLI_LOOPS} CLI loops: every write lands`, async () => {
    const binary = ensureBinary();
    const db = join(tempDir(), "shared.db");
    // Create the store first so the race is about writes, not about creation.
    expect(coffer(["--db", db, "status"]).code).toBe(0);

    const results = await runAll([
      ...Array.from(
        { length: WRITERS },
        (_, i) => () => startFixture("writer", [db, `w${i}`, String(ROUNDS)]),
      ),
      ...Array.from(
        { length: CLI_LOOPS },
        (_, i) => () => startFixture("cli-loop", [binary, db, `c${i}`, String(CLI_ROUNDS)]),
      ),
    ]);
    expectClean(results);
    const writers = results.slice(0, WRITERS).map((r) => JSON.parse(r.stdout) as WriterTally);
    const loops = results.slice(WRITERS).map((r) => JSON.parse(r.stdout) as CliTally);
    expect(loops.flatMap((l) => l.failures)).toEqual([]);

    const sum = (f: (t: WriterTally) => number) => writers.reduce((n, t) => n + f(t), 0);
    const acked = [...writers.flatMap((t) => t.acked), ...loops.flatMap((l) => l.acked)];
    const enqueued = sum((t) => t.enqueued) + loops.reduce((n, l) => n + l.enqueued, 0);
    expect(sum((t) => t.messages)).toBe(WRITERS * ROUNDS);
    expect(loops.reduce((n, l) => n + l.enqueued, 0)).toBe(CLI_LOOPS * CLI_ROUNDS);
    // A job is acked by exactly one claimant: the leases outlive the test.
    expect(new Set(acked).size).toBe(acked.length);

    using store = openStore({ path: db });
    expect(store.sessions.count()).toBe(sum((t) => t.sessions));
    expect(store.messages.count()).toBe(sum((t) => t.messages));
    const [stats] = store.queue.stats("conc");
    expect(stats).toEqual({
      queue: "conc",
      pending: enqueued - acked.length,
      processing: 0,
      completed: acked.length,
      failed: 0,
    });
    for (const id of acked) expect(store.queue.get(id)?.status).toBe("completed");
    expect(store.db.query("PRAGMA integrity_check").get()).toEqual({ integrity_check: "ok" });
  });

  test("the last clean exit leaves no -wal or -shm behind", async () => {
    const db = join(tempDir(), "wal.db");
    expect(coffer(["--db", db, "status"]).code).toBe(0);
    const results = await runAll(
      Array.from({ length: WRITERS }, (_, i) => () => startFixture("writer", [db, `w${i}`, "40"])),
    );
    expectClean(results);
    expect([existsSync(`${db}-wal`), existsSync(`${db}-shm`)]).toEqual([false, false]);
  });
});
