// coffer serve end to end, with the compiled binary: every refusal of SPEC §13
// (key, right, Origin, Host, content type, size, JSON, route), the JSON error
// shape, the socket's modes, shutdown on SIGTERM, and a stale socket at start.

import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { chmodSync, existsSync, mkdirSync, statSync } from "node:fs";
import { dirname, join } from "node:path";
import { openApiDocument } from "../../src/serve/openapi.ts";
import { routes } from "../../src/serve/routes.ts";
import { BINARY, baseEnv, coffer } from "../helpers/binary.ts";
import { call, makeKey, type Served, serve } from "../helpers/serve.ts";
import { tempDir } from "../helpers/tmp.ts";

let s: Served;
let key: string;

beforeAll(async () => {
  s = await serve();
  key = makeKey(s.db, "agent", "sessions,queue:work*");
});

afterAll(async () => {
  await s.stop();
});

function expectError(answer: { status: number; body: unknown }, status: number, code: string) {
  expect(answer.status).toBe(status);
  const error = (answer.body as { error: Record<string, unknown> }).error;
  expect(error.code).toBe(code);
  expect(typeof error.exit).toBe("number");
  expect(typeof error.message).toBe("string");
  expect(JSON.stringify(answer.body)).not.toContain("    at ");
}

describe("coffer serve: keys and rights", () => {
  test("answers /v1/health without a key and refuses every other route without one", async () => {
    expect((await call(s.socket, "GET", "/v1/health")).body).toMatchObject({ ok: true });
    expectError(await call(s.socket, "GET", "/v1/sessions"), 401, "unauthorized");
  });

  test("serves the OpenAPI document of the route table to a key with any rule", async () => {
    expect((await call(s.socket, "GET", "/v1/openapi.json")).status).toBe(401);
    expect(
      (await call(s.socket, "GET", "/v1/openapi.json", { key: makeKey(s.db, "bare", "") })).status,
    ).toBe(403);
    const doc = await call(s.socket, "GET", "/v1/openapi.json", { key });
    expect(doc.status).toBe(200);
    expect(doc.body).toEqual(JSON.parse(JSON.stringify(openApiDocument(routes))));
  });

  test("refuses a wrong key, a malformed header and an expired key with 401", async () => {
    const wrong = `cfk_${"A".repeat(43)}`;
    expectError(await call(s.socket, "GET", "/v1/sessions", { key: wrong }), 401, "unauthorized");
    const basic = await call(s.socket, "GET", "/v1/sessions", {
      headers: { authorization: `Basic ${key}` },
    });
    expectError(basic, 401, "unauthorized");
    const short = makeKey(s.db, "short", "sessions", ["--expires", "1s"]);
    expect((await call(s.socket, "GET", "/v1/sessions", { key: short })).status).toBe(200);
    await Bun.sleep(1100);
    const expired = await call(s.socket, "GET", "/v1/sessions", { key: short });
    expectError(expired, 401, "unauthorized");
    expect(JSON.stringify(expired.body)).toContain("expired");
  });

  test("refuses a route the key has no right to with 403, and allows what its rules name", async () => {
    expectError(await call(s.socket, "GET", "/v1/status", { key }), 403, "forbidden");
    const other = await call(s.socket, "POST", "/v1/queues/mail/jobs", {
      key,
      body: { payload: 1 },
    });
    expectError(other, 403, "forbidden");
    const mine = await call(s.socket, "POST", "/v1/queues/work-a/jobs", {
      key,
      body: { payload: 1 },
    });
    expect(mine.status).toBe(201);
    const reader = makeKey(s.db, "reader", "sessions:read");
    expect((await call(s.socket, "GET", "/v1/sessions", { key: reader })).status).toBe(200);
    const write = await call(s.socket, "POST", "/v1/sessions", { key: reader, body: {} });
    expectError(write, 403, "forbidden");
    const none = makeKey(s.db, "none", "");
    expectError(await call(s.socket, "GET", "/v1/sessions", { key: none }), 403, "forbidden");
    expect((await call(s.socket, "GET", "/v1/health", { key: none })).status).toBe(200);
  });

  test("slows down a client that keeps presenting wrong keys, never a good one", async () => {
    // A server of its own: the failures above count against this same peer (the socket).
    const own = await serve();
    try {
      const good = makeKey(own.db, "good", "sessions");
      const wrong = `cfk_${"B".repeat(43)}`;
      const times: number[] = [];
      for (let i = 0; i < 6; i++) {
        const began = performance.now();
        await call(own.socket, "GET", "/v1/sessions", { key: wrong });
        times.push(performance.now() - began);
      }
      // Behaviour, not speed: past 3 free failures each answer is held back, doubling (100, 200, 400 ms).
      expect(times[5] ?? 0).toBeGreaterThanOrEqual(400);
      expect(times[4] ?? 0).toBeGreaterThanOrEqual(200);
      const began = performance.now();
      expect((await call(own.socket, "GET", "/v1/sessions", { key: good })).status).toBe(200);
      expect(performance.now() - began).toBeLessThan(400);
    } finally {
      await own.stop();
    }
  });
});

describe("coffer serve: requests it refuses", () => {
  test("refuses an Origin header with 403 and a foreign Host with 421", async () => {
    const origin = await call(s.socket, "GET", "/v1/health", {
      headers: { origin: "https://evil.example" },
    });
    expectError(origin, 403, "origin_refused");
    for (const host of ["evil.example", "evil.example:80", "127.0.0.1.nip.io", "10.0.0.1"]) {
      expectError(
        await call(s.socket, "GET", "/v1/health", { headers: { host } }),
        421,
        "misdirected_request",
      );
    }
    for (const host of ["localhost", "127.0.0.1", "[::1]", "LOCALHOST:80"]) {
      expect((await call(s.socket, "GET", "/v1/health", { headers: { host } })).status).toBe(200);
    }
  });

  test("refuses a body that is not JSON (415), too large (413) or malformed (400)", async () => {
    const path = "/v1/queues/work/jobs";
    const text = await call(s.socket, "POST", path, {
      key,
      body: "payload=1",
      headers: { "content-type": "application/x-www-form-urlencoded" },
    });
    expectError(text, 415, "unsupported_media_type");
    const big = { payload: "x".repeat(2 * 1024 * 1024 + 10) };
    expectError(await call(s.socket, "POST", path, { key, body: big }), 413, "payload_too_large");
    const huge = { payload: "x".repeat(10 * 1024 * 1024) };
    expectError(await call(s.socket, "POST", path, { key, body: huge }), 413, "payload_too_large");
    // No Content-Length (chunked): the read stops at the limit.
    const chunk = new TextEncoder().encode("x".repeat(64 * 1024));
    let sent = 0;
    const stream = new ReadableStream({
      pull(controller) {
        if (sent++ >= 48) controller.close();
        else controller.enqueue(chunk);
      },
    });
    const chunked = await fetch(`http://localhost${path}`, {
      method: "POST",
      unix: s.socket,
      headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
      body: stream,
    });
    expect(chunked.status).toBe(413);
    expectError(
      await call(s.socket, "POST", path, { key, body: '{"payload": ' }),
      400,
      "invalid_json",
    );
    const field = await call(s.socket, "POST", path, { key, body: { payload: 1, sneaky: true } });
    expectError(field, 400, "invalid_request");
    const lease = await call(s.socket, "POST", "/v1/queues/work/claim", {
      key,
      body: { lease: -1 },
    });
    expectError(lease, 400, "invalid_request");
  });

  test("answers an unknown route with 404 and a wrong method with 405", async () => {
    expectError(await call(s.socket, "GET", "/v1/nothing", { key }), 404, "not_found");
    expectError(await call(s.socket, "GET", "/", {}), 404, "not_found");
    expectError(await call(s.socket, "PUT", "/v1/sessions", { key }), 405, "method_not_allowed");
  });

  test("answers library errors with the exit code of SPEC §7 and a fitting status", async () => {
    expectError(await call(s.socket, "GET", "/v1/sessions/nope", { key }), 404, "not_found");
    await call(s.socket, "POST", "/v1/queues/work/jobs", { key, body: { payload: 2 } });
    const claimed = await call(s.socket, "POST", "/v1/queues/work/claim", { key, body: {} });
    const job = claimed.body as { id: number };
    const ack = await call(s.socket, "POST", `/v1/jobs/${job.id}/ack`, {
      key,
      body: { token: "not-the-token" },
    });
    expectError(ack, 409, "conflict");
    // A job of a queue the key may not use is refused before its token is even looked at.
    const stranger = makeKey(s.db, "stranger", "queue:mail");
    const theirs = await call(s.socket, "POST", `/v1/jobs/${job.id}/ack`, {
      key: stranger,
      body: { token: "x" },
    });
    expectError(theirs, 403, "forbidden");
    expect((ack.body as { error: { exit: number } }).error.exit).toBe(6);
    expectError(
      await call(s.socket, "POST", "/v1/jobs/abc/ack", { key, body: { token: "t" } }),
      400,
      "invalid_request",
    );
  });
});

describe("coffer serve: the socket", () => {
  test("is 0600 in a 0700 directory", () => {
    expect(statSync(s.socket).mode & 0o777).toBe(0o600);
    expect(statSync(dirname(s.socket)).mode & 0o777).toBe(0o700);
  });

  test("defaults to $XDG_RUNTIME_DIR/coffer/serve.sock, and never loosens or chmods a directory it did not make", async () => {
    const root = tempDir("coffer-sockdir-");
    const run = join(root, "run");
    mkdirSync(run, { mode: 0o700 });
    const proc = Bun.spawn([BINARY, "--db", join(root, "c.db"), "serve"], {
      env: baseEnv({ XDG_RUNTIME_DIR: run }),
      stderr: "pipe",
    });
    const socket = join(run, "coffer", "serve.sock");
    const reader = proc.stderr.getReader();
    let said = "";
    while (!said.includes("serving on unix:")) {
      const { value, done } = await reader.read();
      if (done) break;
      said += new TextDecoder().decode(value);
    }
    expect(said).toContain(`serving on unix:${socket}`);
    expect(statSync(socket).mode & 0o777).toBe(0o600);
    expect(statSync(join(run, "coffer")).mode & 0o777).toBe(0o700);
    proc.kill("SIGTERM");
    expect(await proc.exited).toBe(0);
    // No XDG_RUNTIME_DIR: beside the store; a store directory open to others is refused, untouched.
    const open = join(root, "shared");
    mkdirSync(open);
    chmodSync(open, 0o755);
    const beside = coffer(["--db", join(open, "c.db"), "serve"]);
    expect(beside.code).toBe(2);
    expect(beside.stderr).toMatch(
      /^coffer: error: the socket's directory .* is open to other users\n/,
    );
    expect(statSync(open).mode & 0o777).toBe(0o755);
    const given = coffer(["--db", join(root, "c.db"), "serve", "--socket", join(open, "s.sock")]);
    expect(given.code).toBe(2);
  });

  test("a second server on a live socket is refused (exit 6); a stale one is replaced", async () => {
    const second = Bun.spawnSync([BINARY, "--db", s.db, "serve", "--socket", s.socket], {
      stderr: "pipe",
      timeout: 10_000,
    });
    expect(second.exitCode).toBe(6);
    expect(second.stderr.toString()).toMatch(/^coffer: error: another server is listening/);
    const killed = await serve();
    expect(await killed.stop("SIGKILL")).not.toBe(0);
    expect(statSync(killed.socket).isSocket()).toBe(true);
    const again = await serve({ db: killed.db, dir: dirname(killed.socket) });
    expect((await call(again.socket, "GET", "/v1/health")).status).toBe(200);
    expect(await again.stop()).toBe(0);
  });

  test("SIGTERM answers a waiting claim with 204, exits 0 and removes the socket", async () => {
    const t = await serve();
    const k = makeKey(t.db, "w", "queue:*");
    const waiting = call(t.socket, "POST", "/v1/queues/q/claim", { key: k, body: { wait: 20 } });
    await Bun.sleep(200);
    const began = performance.now();
    const code = t.stop("SIGTERM");
    expect((await waiting).status).toBe(204);
    expect(await code).toBe(0);
    expect(performance.now() - began).toBeLessThan(5000);
    expect(() => statSync(t.socket)).toThrow();
    // The store was closed with a TRUNCATE checkpoint: nothing left beside the file.
    expect(existsSync(`${t.db}-wal`)).toBe(false);
    expect(t.stderr()).not.toContain("error");
  });
});
