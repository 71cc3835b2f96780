import { describe, expect, it } from "bun:test";
import { join } from "node:path";
import { openStore } from "../../../src/index.ts";
import { runInProcess } from "../../helpers/in-process.ts";
import { tempDir } from "../../helpers/tmp.ts";

function seeded(): string {
  const path = join(tempDir(), "coffer.db");
  const store = openStore({ path, now: () => Date.UTC(2026, 0, 2, 3, 4, 5) });
  store.sessions.create({ id: "s-1", channel: "slack", userId: "u1" });
  store.queue.enqueue("mail", { to: "x" });
  store.queue.enqueue("mail", { to: "y" }, { priority: 2 });
  store.close();
  return path;
}

describe("commands in process", () => {
  it("should print sessions as an aligned table with ISO times", async () => {
    const db = seeded();
    const r = await runInProcess(["--db", db, "session", "list"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(
      "ID   AGENT  CHANNEL  USER  STATE   CREATED                   UPDATED\n" +
        "s-1  -      slack    u1    active  2026-01-02T03:04:05.000Z  2026-01-02T03:04:05.000Z\n",
    );
  });

  it("should print queue stats as a table, or one JSON document with --json", async () => {
    const db = seeded();
    const table = await runInProcess(["--db", db, "queue", "stats"]);
    expect(table.stdout).toBe(
      "QUEUE  PENDING  PROCESSING  COMPLETED  FAILED\nmail   2        0           0          0\n",
    );
    const json = await runInProcess(["queue", "stats", "--json", "--db", db]);
    expect(JSON.parse(json.stdout)).toEqual([
      { queue: "mail", pending: 2, processing: 0, completed: 0, failed: 0 },
    ]);
  });

  it("should report an error once, on stderr, with its exit code", async () => {
    const r = await runInProcess(["--db", seeded(), "session", "show", "missing"]);
    expect(r).toEqual({ code: 3, stdout: "", stderr: "coffer: error: no session missing\n" });
  });

  it("should show the cause's stack only with --verbose or DEBUG", async () => {
    const path = join(tempDir(), "notes.db");
    await Bun.write(path, "not a database at all\n".repeat(100));
    const quiet = await runInProcess(["--db", path, "status"]);
    expect(quiet.code).toBe(5);
    expect(quiet.stderr.trimEnd().split("\n")).toHaveLength(1);
    for (const loud of [
      await runInProcess(["--db", path, "status", "--verbose"]),
      await runInProcess(["--db", path, "status"], { DEBUG: "1" }),
    ]) {
      expect(loud.code).toBe(5);
      expect(loud.stderr).toMatch(/^coffer: error: .*not a valid coffer store/);
      expect(loud.stderr).toMatch(/\n\s+at /);
    }
  });

  it("should print the version as JSON with --json", async () => {
    const r = await runInProcess(["--version", "--json"]);
    expect(JSON.parse(r.stdout)).toEqual({ version: expect.stringMatching(/^\d+\.\d+\.\d+/) });
  });
});
