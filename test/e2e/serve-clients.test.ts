// coffer serve with clients nobody here wrote: curl --unix-socket, and a Python
// agent using only its standard library (http.client over AF_UNIX).

import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { join } from "node:path";
import { coffer } from "../helpers/binary.ts";
import { makeKey, type Served, serve } from "../helpers/serve.ts";

let s: Served;

beforeAll(async () => {
  s = await serve();
});

afterAll(async () => {
  await s.stop();
});

function curl(args: string[]): { status: number; body: unknown } {
  const r = Bun.spawnSync(
    ["curl", "-sS", "--unix-socket", s.socket, "-w", "\n%{http_code}", ...args],
    {
      stdout: "pipe",
      stderr: "pipe",
      timeout: 20_000,
    },
  );
  const out = r.stdout.toString();
  const cut = out.lastIndexOf("\n");
  const text = out.slice(0, cut);
  return { status: Number(out.slice(cut + 1)), body: text ? JSON.parse(text) : null };
}

describe("coffer serve and curl", () => {
  test("pushes, claims and acks a job over the socket", () => {
    const key = makeKey(s.db, "curl", "queue:curl");
    const auth = ["-H", `Authorization: Bearer ${key}`, "-H", "Content-Type: application/json"];
    const push = curl([
      ...auth,
      "-d",
      '{"payload":{"to":"ada"},"priority":5}',
      "http://localhost/v1/queues/curl/jobs",
    ]);
    expect(push).toEqual({ status: 201, body: { id: expect.any(Number) } });
    const claim = curl([...auth, "-d", '{"lease":60000}', "http://localhost/v1/queues/curl/claim"]);
    expect(claim.status).toBe(200);
    const job = claim.body as { id: number; leaseToken: string; payload: unknown };
    expect(job.payload).toEqual({ to: "ada" });
    const ack = curl([
      ...auth,
      "-d",
      JSON.stringify({ token: job.leaseToken }),
      `http://localhost/v1/jobs/${job.id}/ack`,
    ]);
    expect(ack).toEqual({ status: 200, body: { id: job.id, status: "completed" } });
    expect(curl([...auth, "-d", "{}", "http://localhost/v1/queues/curl/claim"]).status).toBe(204);
    const stats = coffer(["--db", s.db, "--json", "queue", "stats", "curl"]);
    expect(JSON.parse(stats.stdout)).toEqual({
      queue: "curl",
      pending: 0,
      processing: 0,
      completed: 1,
      failed: 0,
    });
    expect(curl(["http://localhost/v1/queues/curl/stats"]).status).toBe(401);
  });
});

describe("coffer serve and a Python agent", () => {
  test("uses sessions, messages and the queue with a key that allows only what it needs", () => {
    const key = makeKey(s.db, "python", "sessions,queue:py-*");
    const r = Bun.spawnSync(
      ["python3", join(import.meta.dir, "..", "fixtures", "serve_client.py"), s.socket, key],
      {
        stdout: "pipe",
        stderr: "pipe",
        timeout: 30_000,
      },
    );
    expect(r.stderr.toString()).toBe("");
    const seen = JSON.parse(r.stdout.toString());
    expect(seen.session[0]).toBe(201);
    expect(seen.message).toEqual([201, "héllo"]);
    expect(seen.messages).toEqual([200, 1]);
    expect(seen.acked.map((a: number[]) => a[2])).toEqual([200, 200, 200]);
    expect(seen.acked.map((a: number[]) => a[0])).toEqual(seen.pushed);
    expect(seen.stats).toEqual({
      queue: "py-jobs",
      pending: 0,
      processing: 0,
      completed: 3,
      failed: 0,
    });
    expect(seen.forbidden).toBe(403);
    // What it wrote is in the store, as the CLI sees it.
    const show = coffer(["--db", s.db, "--json", "session", "show", seen.session[1]]);
    expect(show.code).toBe(0);
    expect(show.stdout).toContain("héllo");
  });
});
