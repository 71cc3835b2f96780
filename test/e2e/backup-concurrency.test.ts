// Backups taken while other processes write, and backups killed mid-way:
// real processes, real files.

import { Database } from "bun:sqlite";
import { describe, expect, it } from "bun:test";
import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { bulkStore } from "../helpers/backup-faults.ts";
import { BINARY, baseEnv, coffer, ensureBinary } from "../helpers/binary.ts";
import { startFixture } from "../helpers/spawn.ts";
import { tempDir } from "../helpers/tmp.ts";

interface WriterStats {
  commits: number;
  errors: number;
  firstError: string;
}

/** Every writer session's metadata.n equals its message count, in the copy at `path`. */
function invariantViolations(path: string): { sessions: number; bad: unknown[] } {
  const db = new Database(path, { readonly: true });
  try {
    const rows = db
      .query(
        `SELECT id, metadata ->> 'n' AS n, (SELECT count(*) FROM messages m WHERE m.session_id = s.id) AS c
         FROM sessions s WHERE id LIKE 'writer-%'`,
      )
      .all() as { id: string; n: number; c: number }[];
    const check = db.query("PRAGMA integrity_check").all();
    const bad: unknown[] = rows.filter((r) => r.n !== r.c);
    if (JSON.stringify(check) !== JSON.stringify([{ integrity_check: "ok" }])) bad.push(check);
    return { sessions: rows.length, bad };
  } finally {
    db.close();
  }
}

async function writerStats(store: string, pid: number): Promise<WriterStats> {
  return JSON.parse(await Bun.file(`${store}.writer-${pid}.json`).text());
}

describe("backup while other processes write", () => {
  for (const rate of [0, 100]) {
    it(`should hold the writers' invariant with writers at ${rate === 0 ? "full speed" : `${rate}/s`}`, async () => {
      ensureBinary();
      const dir = tempDir();
      const store = bulkStore(dir, 24);
      const writers = await Promise.all(
        [0, 1].map(() => startFixture("backup-writer.ts", [store, String(rate)])),
      );
      try {
        await Bun.sleep(200);
        for (let i = 0; i < 4; i++) {
          const target = join(dir, `b${i}.db`);
          const r = coffer(["--db", store, "backup", target, "--json"]);
          expect(r.code, r.stderr).toBe(0);
          const { sessions, bad } = invariantViolations(target);
          expect(sessions).toBe(2);
          expect(bad).toEqual([]);
        }
      } finally {
        for (const w of writers) await w.kill("SIGTERM");
      }
      for (const w of writers) {
        const stats = await writerStats(store, w.proc.pid);
        expect(stats.errors, stats.firstError).toBe(0);
        expect(stats.commits).toBeGreaterThan(0);
      }
    });
  }
});

describe("backup killed mid-way", () => {
  const dir = tempDir();
  const store = bulkStore(dir, 160);

  /** Starts a backup and sends `signal` once its temp file exists. */
  async function killMidway(target: string, signal: NodeJS.Signals): Promise<number | null> {
    const proc = Bun.spawn([BINARY, "--db", store, "backup", target], {
      env: baseEnv(),
      stdout: "ignore",
      stderr: "ignore",
    });
    const deadline = performance.now() + 10_000;
    while (
      !readdirSync(dir).some((n) => n.includes(".coffer-tmp-")) &&
      performance.now() < deadline
    ) {
      await Bun.sleep(1);
    }
    proc.kill(signal);
    await proc.exited;
    return proc.exitCode;
  }

  for (const [signal, status] of [
    ["SIGTERM", 143],
    ["SIGINT", 130],
  ] as const) {
    it(`should remove its temp file on ${signal}, write nothing at PATH and exit ${status}`, async () => {
      ensureBinary();
      const target = join(dir, `${signal}.db`);
      const code = await killMidway(target, signal);
      expect(code).toBe(status);
      expect(existsSync(target)).toBe(false);
      expect(readdirSync(dir).filter((n) => n.startsWith("."))).toEqual([]);
    });
  }

  it("should leave nothing at PATH on SIGKILL, and the next backup sweeps the temp file", async () => {
    ensureBinary();
    const target = join(dir, "kill.db");
    await killMidway(target, "SIGKILL");
    expect(existsSync(target)).toBe(false);
    expect(coffer(["--db", store, "backup", target]).code).toBe(0);
    expect(readdirSync(dir).filter((n) => n.startsWith("."))).toEqual([]);
  });
});
