// What stats, list and status report once a lease ran out, and retry of a
// failed job whose dedupe key a live job took: on the binary, both engines.

import { describe, expect, test } from "bun:test";
import { coffer } from "../helpers/binary.ts";
import { ENGINES } from "../helpers/workers.ts";

for (const engine of ENGINES) {
  describe(`leases and retries on ${engine.name}`, () => {
    test("an expired lease is reported as pending (or failed, attempts spent), never processing", async () => {
      const db = await engine.fresh("leases_seen");
      const run = (...args: string[]) => coffer(args, { env: { COFFER_DB: db } });
      run("queue", "push", "q", "{}", "--max-attempts", "1");
      run("queue", "push", "q", "{}", "--max-attempts", "2");
      expect(run("queue", "pop", "q", "--lease", "300").code).toBe(0);
      expect(run("queue", "pop", "q", "--lease", "300").code).toBe(0);
      const held = JSON.parse(run("--json", "queue", "stats", "q").stdout);
      expect(held).toMatchObject({ processing: 2 });
      await Bun.sleep(400);
      const stats = JSON.parse(run("--json", "queue", "stats", "q").stdout);
      expect(stats).toMatchObject({ pending: 1, processing: 0, failed: 1 });
      expect(
        JSON.parse(run("--json", "queue", "list", "q", "--status", "processing").stdout),
      ).toEqual([]);
      const listed = JSON.parse(run("--json", "queue", "list", "q").stdout);
      expect(listed.map((j: { status: string }) => j.status)).toEqual(["failed", "pending"]);
      expect(listed[0].leaseToken).toBeNull();
      const status = JSON.parse(run("--json", "status").stdout);
      expect(status.counts.jobs).toMatchObject({ pending: 1, processing: 0, failed: 1 });
    });

    test("retry of a failed job whose dedupe key a live job holds: exit 6 naming it", async () => {
      const db = await engine.fresh("leases_retry");
      const run = (...args: string[]) => coffer(args, { env: { COFFER_DB: db } });
      const first = run("queue", "push", "q", "{}", "--dedupe-key", "k", "--max-attempts", "1");
      const job = JSON.parse(run("queue", "pop", "q").stdout);
      expect(run("queue", "fail", String(job.id), "--error", "x").code).toBe(0);
      const live = run("queue", "push", "q", "{}", "--dedupe-key", "k").stdout.trim();
      expect(live).not.toBe(first.stdout.trim());
      const retry = run("queue", "retry", first.stdout.trim());
      expect(retry.code).toBe(6);
      expect(retry.stderr).toContain(`taken by live job ${live}`);
      expect(retry.stderr).not.toContain("UNIQUE");
      // --all leaves that one failed instead of failing as a whole.
      expect(run("queue", "retry", "--all", "q").code).toBe(0);
      const failed = JSON.parse(run("--json", "queue", "list", "q", "--status", "failed").stdout);
      expect(failed.map((j: { id: number }) => j.id)).toEqual([Number(first.stdout.trim())]);
    });
  });
}
