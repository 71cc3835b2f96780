// restore on a terminal asks before replacing the store: "y" restores,
// anything else changes nothing (exit 2).

import { describe, expect, it } from "bun:test";
import { join } from "node:path";
import { BINARY, baseEnv, coffer, ensureBinary, ROOT } from "../helpers/binary.ts";
import { bytesOf, dump, makeStore } from "../helpers/stores.ts";
import { tempDir } from "../helpers/tmp.ts";

function onPty(args: string[], answer: string): { output: string; status: number | null } {
  const r = Bun.spawnSync(["python3", join(ROOT, "test/helpers/pty-run.py"), BINARY, ...args], {
    env: baseEnv({ PTY_ANSWERS: JSON.stringify([["[y/N]", answer]]) }),
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
