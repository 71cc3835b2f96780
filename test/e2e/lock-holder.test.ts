// A process that holds the write lock, stuck or slow: the others wait up to
// busy_timeout_ms and then fail with exit 6 and one line; readers, and every
// close, never wait for it at all.

import { describe, expect, test } from "bun:test";
import { join } from "node:path";
import { BINARY, baseEnv, coffer } from "../helpers/binary.ts";
import { finish, startFixture } from "../helpers/procs.ts";
import { tempDir } from "../helpers/tmp.ts";

const TEST_TIMEOUT_MS = 60_000;

describe("a writer holding the lock too long", () => {
  test(
    "others wait up to busy_timeout_ms, then exit 6 with one line; readers are not blocked",
    async () => {
      const dir = tempDir();
      const db = join(dir, "held.db");
      const config = join(dir, "config.toml");
      await Bun.write(config, "[storage]\nbusy_timeout_ms = 300\n");
      expect(coffer(["--db", db, "queue", "push", "q", "{}"]).code).toBe(0);

      const holder = startFixture("hold-lock", [db, "30000"]);
      const reader = holder.stdout.getReader();
      expect(new TextDecoder().decode((await reader.read()).value)).toBe("locked\n");

      const push = coffer(["--db", db, "--config", config, "queue", "push", "q", "{}"]);
      expect(push.code).toBe(6);
      expect(push.stdout).toBe("");
      const lines = push.stderr.trimEnd().split("\n");
      expect(lines[0]).toMatch(/^coffer: error: .*busy/);
      expect(lines.slice(1).every((l) => l.startsWith("coffer: hint: "))).toBe(true);
      expect(push.stderr).not.toContain("SQLITE_BUSY");
      expect(push.stderr).not.toContain("    at ");
      // WAL readers never wait for the writer.
      const list = coffer(["--db", db, "--config", config, "--json", "queue", "list", "q"]);
      expect(list.code).toBe(0);
      expect(JSON.parse(list.stdout)).toHaveLength(1);

      reader.releaseLock();
      holder.kill("SIGKILL"); // the held transaction dies uncommitted
      await holder.exited;
      const after = coffer(["--db", db, "--config", config, "--json", "status"]);
      expect(after.code).toBe(0);
      expect(JSON.parse(after.stdout)).toMatchObject({ counts: { sessions: 0 }, quickCheck: "ok" });
      expect(coffer(["--db", db, "queue", "push", "q", "{}"]).code).toBe(0);
    },
    TEST_TIMEOUT_MS,
  );
});

describe("closing never waits for another process", () => {
  /** Far beyond the test: with it, a close that waited for the writer would hang. */
  const WAIT_FOREVER_MS = 600_000;
  /** A hang detector, not a timing: a healthy run takes a few ms. */
  const HANG_MS = 10_000;

  test(
    "a reading command finishes while another process holds the write lock",
    async () => {
      const dir = tempDir();
      const db = join(dir, "reader.db");
      const config = join(dir, "config.toml");
      await Bun.write(config, `[storage]\nbusy_timeout_ms = ${WAIT_FOREVER_MS}\n`);
      expect(coffer(["--db", db, "queue", "push", "q", "{}"]).code).toBe(0);
      const holder = startFixture("hold-lock", [db, String(WAIT_FOREVER_MS)]);
      const lines = holder.stdout.getReader();
      expect(new TextDecoder().decode((await lines.read()).value)).toBe("locked\n");

      const reading = finish(
        Bun.spawn([BINARY, "--db", db, "--config", config, "--json", "queue", "stats"], {
          env: baseEnv(),
          stdin: "ignore",
          stdout: "pipe",
          stderr: "pipe",
        }),
      );
      const hang = Bun.sleep(HANG_MS).then(() => "hung" as const);
      const result = await Promise.race([reading, hang]);
      const holderAlive = holder.exitCode === null && holder.signalCode === null;
      lines.releaseLock();
      holder.kill("SIGKILL");
      await holder.exited;
      expect(result).not.toBe("hung");
      expect(holderAlive).toBe(true);
      expect(result).toMatchObject({ code: 0, stderr: "" });
    },
    TEST_TIMEOUT_MS,
  );
});
