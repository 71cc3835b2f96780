// On a terminal: restore asks before replacing the store ("y" restores,
// anything else changes nothing, exit 2), and backup shows its progress.

import { describe, expect, it } from "bun:test";
import { join } from "node:path";
import { openStore } from "../../src/store/store.ts";
import { BINARY, baseEnv, coffer, ensureBinary, ROOT } from "../helpers/binary.ts";
import { bytesOf, dump, makeStore } from "../helpers/stores.ts";
import { tempDir } from "../helpers/tmp.ts";

function onPty(args: string[], answer?: string): { output: string; status: number | null } {
  const answers = answer === undefined ? [] : [["[y/N]", answer]];
  const r = Bun.spawnSync(["python3", join(ROOT, "test/helpers/pty-run.py"), BINARY, ...args], {
    env: baseEnv({ PTY_ANSWERS: JSON.stringify(answers) }),
    stdout: "pipe",
    stderr: "pipe",
    timeout: 30_000,
  });
  if (r.exitCode !== 0) throw new Error(r.stderr.toString());
  return JSON.parse(r.stdout.toString());
}

function setup() {
  ensureBinary();
  const dir = tempDir();
  const store = makeStore(dir, "coffer.db", "old");
  const backup = join(dir, "b.db");
  expect(coffer(["--db", store, "backup", backup]).code).toBe(0);
  coffer(["--db", store, "queue", "push", "after", "{}"]);
  return { store, backup };
}

describe("restore confirmation on a terminal", () => {
  it("should restore when the answer is y", () => {
    const { store, backup } = setup();
    const r = onPty(["--db", store, "restore", backup], "y\r");
    expect(r.status).toBe(0);
    expect(r.output).toMatch(/replace .*coffer\.db with .*b\.db/);
    expect(dump(store)).toEqual(dump(backup));
  });

  it("should change nothing when the answer is no", () => {
    const { store, backup } = setup();
    const before = bytesOf(store);
    const r = onPty(["--db", store, "restore", backup], "n\r");
    expect(r.status).toBe(2);
    expect(r.output).toMatch(/not confirmed; nothing was changed/);
    expect(bytesOf(store).equals(before)).toBe(true);
  });
});

describe("backup on a terminal", () => {
  it("should show progress for a large store, then the summary line", () => {
    ensureBinary();
    const dir = tempDir();
    const store = makeStore(dir);
    {
      using s = openStore({ path: store });
      const chunk = "p".repeat(1 << 20);
      s.write(() => {
        for (let i = 0; i < 80; i++) {
          s.db.run(
            "INSERT INTO messages (session_id, role, content, created_at) VALUES ('s-a', 'tool', ?, 0)",
            [chunk],
          );
        }
      });
    }
    const r = onPty(["--db", store, "backup", join(dir, "b.db")]);
    expect(r.status).toBe(0);
    expect(r.output).toMatch(/coffer: backup \d+% \([\d.]+ MB of [\d.]+ MB\)/);
    expect(r.output).toMatch(/Backup complete: [\d.]+ MB written to .*b\.db/);
  });
});
