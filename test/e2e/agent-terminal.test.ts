// On a terminal, agent rm asks first: "y" removes the agent, anything else
// changes nothing (exit 2).

import { describe, expect, it } from "bun:test";
import { join } from "node:path";
import { openStore } from "../../src/store/store.ts";
import { BINARY, baseEnv, ensureBinary, ROOT } from "../helpers/binary.ts";
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

function storeWithAgent(): string {
  ensureBinary();
  const path = join(tempDir(), "coffer.db");
  using store = openStore({ path });
  store.agents.create({ slug: "bot" });
  store.sessions.create({ id: "s", agent: "bot" });
  return path;
}

describe.skipIf(!Bun.which("python3"))("agent rm on a terminal", () => {
  it("should remove the agent when the answer is y", () => {
    const db = storeWithAgent();
    const r = onPty(["--db", db, "agent", "rm", "bot"], "y\r");
    expect(r.status).toBe(0);
    expect(r.output).toMatch(
      /remove agent bot with its documents, sessions, messages and secrets\?/,
    );
    using store = openStore({ path: db });
    expect([store.agents.get("bot"), store.sessions.get("s")]).toEqual([null, null]);
  });

  it("should change nothing when the answer is no", () => {
    const db = storeWithAgent();
    const r = onPty(["--db", db, "agent", "rm", "bot"], "n\r");
    expect(r.status).toBe(2);
    expect(r.output).toMatch(/agent rm not confirmed; nothing was changed/);
    using store = openStore({ path: db });
    expect(store.agents.get("bot")).not.toBeNull();
    expect(store.sessions.count()).toBe(1);
  });
});
