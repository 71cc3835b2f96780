// Many processes writing to one store at once: library writers and real
// `coffer` invocations side by side. Every write must land and no caller may
// ever see SQLITE_BUSY (or any error). Also: racing first opens of a new file,
// and racing pushes with one dedupe key.

import { Database } from "bun:sqlite";
import { describe, expect, test } from "bun:test";
import { existsSync, statSync } from "node:fs";
import { dirname, join } from "node:path";
import { APPLICATION_ID, openStore } from "../../src/index.ts";
import { latestVersion } from "../../src/store/migrations.ts";
import { BINARY, baseEnv, coffer, ensureBinary } from "../helpers/binary.ts";
import { type Finished, finish, runAll, startFixture } from "../helpers/procs.ts";
import { tempDir } from "../helpers/tmp.ts";

/** Real processes on 2 noisy cores: generous, so only a hang fails on time. */
const TEST_TIMEOUT_MS = 60_000;
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
  test(
    `${WRITERS} library processes and ${CLI_LOOPS} CLI loops: every write lands`,
    async () => {
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
    },
    TEST_TIMEOUT_MS,
  );

  test(
    "the last clean exit leaves no -wal or -shm behind",
    async () => {
      const db = join(tempDir(), "wal.db");
      expect(coffer(["--db", db, "status"]).code).toBe(0);
      const results = await runAll(
        Array.from(
          { length: WRITERS },
          (_, i) => () => startFixture("writer", [db, `w${i}`, "40"]),
        ),
      );
      expectClean(results);
      expect([existsSync(`${db}-wal`), existsSync(`${db}-shm`)]).toEqual([false, false]);
    },
    TEST_TIMEOUT_MS,
  );
});

describe("racing pushes with one dedupe key", () => {
  const PUSHERS = 16;

  test(
    `${PUSHERS} concurrent \`coffer queue push --dedupe-key\`: one job, one id for all`,
    async () => {
      const db = join(tempDir(), "dedupe.db");
      expect(coffer(["--db", db, "status"]).code).toBe(0);
      const results = await Promise.all(
        Array.from({ length: PUSHERS }, (_, i) =>
          finish(
            Bun.spawn(
              [BINARY, "--db", db, "queue", "push", "q", `{"n":${i}}`, "--dedupe-key", "once"],
              { env: baseEnv(), stdin: "ignore", stdout: "pipe", stderr: "pipe" },
            ),
          ),
        ),
      );
      expectClean(results);
      const ids = new Set(results.map((r) => r.stdout.trim()));
      expect(ids.size).toBe(1);
      using store = openStore({ path: db });
      expect(store.queue.stats("q")[0]).toMatchObject({ pending: 1 });
      expect(store.queue.get(Number([...ids][0]))?.dedupeKey).toBe("once");
    },
    TEST_TIMEOUT_MS,
  );
});

describe("racing first opens", () => {
  const OPENERS = 12;
  const ROUNDS_OF_RACES = 8;
  /** Time for every process to start and reach the line before the start. */
  const LINE_UP_MS = 400;
  /** The binary starts faster than a Bun script; it is spawned this much before the start. */
  const BINARY_LEAD_MS = 10;

  test(
    `${OPENERS} processes create the same new store at once, ${ROUNDS_OF_RACES} times`,
    async () => {
      const binary = ensureBinary();
      for (let round = 0; round < ROUNDS_OF_RACES; round++) {
        // Deep, missing parents: the directory creation races too.
        const db = join(tempDir(), "a", "b", `fresh-${round}.db`);
        const startAt = Date.now() + LINE_UP_MS;
        const pushers = Math.floor((OPENERS + 1) / 3);
        const pushing = Array.from({ length: pushers }, async (_, i) => {
          await Bun.sleep(startAt - BINARY_LEAD_MS - Date.now());
          return await finish(
            Bun.spawn([binary, "--db", db, "queue", "push", "first", `{"pusher":${i}}`], {
              env: baseEnv(),
              stdin: "ignore",
              stdout: "pipe",
              stderr: "pipe",
            }),
          );
        });
        const opening = runAll(
          Array.from(
            { length: OPENERS - pushers },
            (_, i) => () => startFixture("first-open", [db, `opener-${i}`, String(startAt)]),
          ),
        );
        const results = [...(await opening), ...(await Promise.all(pushing))];
        expect(results.filter((r) => r.code !== 0).map((r) => r.stderr)).toEqual([]);
        expectClean(results);

        const raw = new Database(db, { readonly: true, strict: true });
        const header = raw.query("PRAGMA application_id").get();
        const history = raw.query("SELECT version FROM coffer_migrations ORDER BY version").all();
        raw.close();
        expect(header).toEqual({ application_id: APPLICATION_ID });
        // Whoever won each race, the modes are coffer's.
        const modes = [db, dirname(db), dirname(dirname(db))].map((p) => statSync(p).mode & 0o777);
        expect(modes).toEqual([0o600, 0o700, 0o700]);
        expect(history).toEqual(
          Array.from({ length: latestVersion }, (_, i) => ({ version: i + 1 })),
        );

        using store = openStore({ path: db });
        expect(store.sessions.count()).toBe(OPENERS - pushers);
        expect(store.queue.stats("first")[0]?.pending).toBe(pushers);
      }
    },
    TEST_TIMEOUT_MS,
  );
});
