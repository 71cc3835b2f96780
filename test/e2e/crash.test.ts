// A writer SIGKILLed at random moments, many times over: after each kill the
// store must open, pass integrity_check, and hold every write the writer
// reported as committed (it prints each only after its commit returned).

import { describe, expect, test } from "bun:test";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { openStore } from "../../src/index.ts";
import { schemaVersion } from "../../src/store/migrate.ts";
import { latestVersion } from "../../src/store/migrations.ts";
import { startFixture } from "../helpers/procs.ts";
import { tempDir } from "../helpers/tmp.ts";

const TEST_TIMEOUT_MS = 120_000;
/** Rounds on brand-new files, killed early: during startup, open or migration. */
const FRESH_ROUNDS = 12;
/** Rounds on one store that keeps growing, killed anywhere. */
const SHARED_ROUNDS = 22;

interface Reported {
  sessions: string[];
  messages: number[];
  jobs: number[];
  acked: number[];
}

function parseReport(stdout: string, into: Reported): void {
  // Only whole lines count: the kill may cut the last one short.
  const lines = stdout.split("\n").slice(0, -1);
  for (const line of lines) {
    const [kind, a, b] = line.split(" ");
    if (kind === "S" && a) into.sessions.push(a);
    if (kind === "M") into.messages.push(Number(a));
    if (kind === "J") into.jobs.push(Number(a));
    if (kind === "A") into.acked.push(Number(a));
    if (kind === "B") for (let id = Number(a); id <= Number(b); id++) into.messages.push(id);
  }
}

/** Starts the writer, lets it run `ms`, then kills it with SIGKILL. */
async function runAndKill(db: string, name: string, ms: number): Promise<string> {
  const proc = startFixture("crash-writer", [db, name]);
  const stdout = new Response(proc.stdout).text();
  const stderr = new Response(proc.stderr).text();
  await Bun.sleep(ms);
  proc.kill("SIGKILL");
  await proc.exited;
  // A writer that died on its own (an error) would make the round meaningless.
  expect({ signal: proc.signalCode, stderr: await stderr }).toEqual({
    signal: "SIGKILL",
    stderr: "",
  });
  return await stdout;
}

function verify(db: string, reported: Reported): void {
  using store = openStore({ path: db });
  const { db: sql } = store;
  expect(sql.query("PRAGMA integrity_check").all()).toEqual([{ integrity_check: "ok" }]);
  expect(sql.query("PRAGMA foreign_key_check").all()).toEqual([]);
  expect(schemaVersion(sql)).toBe(latestVersion);

  const sessions = new Set(
    (sql.query("SELECT id FROM sessions").all() as { id: string }[]).map((r) => r.id),
  );
  const messages = new Set(
    (sql.query("SELECT id FROM messages").all() as { id: number }[]).map((r) => r.id),
  );
  const jobs = new Map(
    (sql.query("SELECT id, status FROM jobs").all() as { id: number; status: string }[]).map(
      (r) => [r.id, r.status],
    ),
  );
  expect(reported.sessions.filter((id) => !sessions.has(id))).toEqual([]);
  expect(reported.messages.filter((id) => !messages.has(id))).toEqual([]);
  expect(reported.jobs.filter((id) => !jobs.has(id))).toEqual([]);
  expect(reported.acked.filter((id) => jobs.get(id) !== "completed")).toEqual([]);
}

function randomBetween(min: number, max: number): number {
  return Math.round(min + Math.random() * (max - min));
}

describe("SIGKILL at random moments", () => {
  test(
    `${FRESH_ROUNDS} kills during the first open of a new store`,
    async () => {
      const dir = tempDir();
      // The window between creating the file and committing the migration is a
      // few ms, somewhere after Bun's start-up: the delay homes in on it, shorter
      // when the writer got as far as writing, longer when it had not even
      // created the file.
      let delay = 15;
      for (let round = 0; round < FRESH_ROUNDS; round++) {
        const db = join(dir, `fresh-${round}.db`);
        const reported: Reported = { sessions: [], messages: [], jobs: [], acked: [] };
        const stdout = await runAndKill(db, `f${round}`, delay * (0.7 + Math.random() * 0.6));
        parseReport(stdout, reported);
        if (stdout.length > 0) delay *= 0.75;
        else if (!existsSync(db)) delay += 3;
        verify(db, reported);
      }
    },
    TEST_TIMEOUT_MS,
  );

  test(
    `${SHARED_ROUNDS} kills of writers on one store: every reported write survives`,
    async () => {
      const db = join(tempDir(), "crash.db");
      const reported: Reported = { sessions: [], messages: [], jobs: [], acked: [] };
      for (let round = 0; round < SHARED_ROUNDS; round++) {
        parseReport(await runAndKill(db, `w${round}`, randomBetween(80, 450)), reported);
        verify(db, reported); // everything reported in any earlier round, too
      }
      // The rounds must have written something worth checking.
      expect(reported.messages.length).toBeGreaterThan(SHARED_ROUNDS * 10);
      expect(reported.acked.length).toBeGreaterThan(SHARED_ROUNDS);
    },
    TEST_TIMEOUT_MS,
  );
});
