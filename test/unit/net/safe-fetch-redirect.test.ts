// safeFetch redirects, body limit and timeout, against local loopback servers:
// each hop is checked again, and a refused hop's server must see nothing.

import { afterAll, describe, expect, it } from "bun:test";
import { IoError, UsageError } from "../../../src/errors.ts";
import { safeFetch } from "../../../src/net/safe-fetch.ts";
import { countingServer } from "../../helpers/loopback-server.ts";

const target = countingServer(
  "127.0.0.2",
  (req) => new Response(`${req.method} ${req.headers.get("authorization")}`),
);
const front = countingServer("127.0.0.1", (req, url, body) => {
  const [, kind = "", arg = ""] = url.pathname.split("/");
  if (kind === "to") return Response.redirect(decodeURIComponent(arg), 302);
  if (kind === "status")
    return new Response(null, { status: Number(arg), headers: { location: "/echo" } });
  if (kind === "loop") return Response.redirect(`/loop/${Number(arg) + 1}`, 302);
  if (kind === "echo") return new Response(`${req.method} ${url.pathname} body=${body}`);
  if (kind === "bytes") return new Response("x".repeat(Number(arg)));
  if (kind === "stream") return new Response(stream(Number(arg)));
  if (kind === "slow") return Bun.sleep(10_000).then(() => new Response("late"));
  if (kind === "stall") return new Response(stalled());
  return new Response("?", { status: 404 });
});
afterAll(() => {
  for (const s of [front, target]) s.stop();
});

const allowBoth = { allowedPrivateIps: ["127.0.0.1", "127.0.0.2"] };
const allowFront = { allowedPrivateIps: ["127.0.0.1"] };

function stream(total: number): ReadableStream<Uint8Array> {
  let sent = 0;
  return new ReadableStream({
    pull(c) {
      if (sent >= total) return c.close();
      c.enqueue(new Uint8Array(Math.min(100, total - sent)).fill(120));
      sent += 100;
    },
  });
}

function stalled(): ReadableStream<Uint8Array> {
  return new ReadableStream({
    async pull(c) {
      c.enqueue(new TextEncoder().encode("first"));
      await Bun.sleep(10_000);
    },
  });
}

const errorOf = (p: Promise<unknown>) =>
  p.then(
    () => undefined,
    (e: unknown) => e as Error,
  );

describe("safeFetch redirects", () => {
  const toTarget = `${front.origin}/to/${encodeURIComponent(`${target.origin}/end`)}`;

  it("should follow a hop to an allowed address, checking it again", async () => {
    const events: string[] = [];
    const res = await safeFetch(
      toTarget,
      {},
      { ...allowBoth, onAllowed: (e) => events.push(e.address) },
    );
    expect([res.status, res.url, await res.text()]).toEqual([
      200,
      `${target.origin}/end`,
      "GET null",
    ]);
    expect(events).toEqual(["127.0.0.1", "127.0.0.2"]);
  });

  it("should refuse a hop to an address not allowed, sending it nothing", async () => {
    const before = target.seen.length;
    const err = await errorOf(safeFetch(toTarget, {}, allowFront));
    expect(err).toBeInstanceOf(UsageError);
    expect(err?.message).toMatch(/127\.0\.0\.2 is a loopback address/);
    expect(target.seen.length).toBe(before);
  });

  it("should refuse a hop to another scheme", async () => {
    const err = await errorOf(
      safeFetch(`${front.origin}/to/${encodeURIComponent("file:///etc/passwd")}`, {}, allowFront),
    );
    expect(err?.message).toMatch(/only http and https/);
  });

  it("should follow at most maxRedirects hops", async () => {
    const before = front.seen.length;
    const err = await errorOf(
      safeFetch(`${front.origin}/loop/0`, {}, { ...allowFront, maxRedirects: 2 }),
    );
    expect(err?.message).toMatch(/more than 2 redirects/);
    expect(front.seen.length).toBe(before + 3);
  });

  it("should hand a redirect back with redirect: manual, and refuse one with redirect: error", async () => {
    const res = await safeFetch(`${front.origin}/loop/0`, { redirect: "manual" }, allowFront);
    expect([res.status, res.headers.get("location")]).toEqual([302, "/loop/1"]);
    const err = await errorOf(
      safeFetch(`${front.origin}/loop/0`, { redirect: "error" }, allowFront),
    );
    expect(err?.message).toMatch(/redirect: "error"/);
  });

  it("should follow 5 redirects and refuse the sixth by default", async () => {
    const before = front.seen.length;
    const err = await errorOf(safeFetch(`${front.origin}/loop/0`, {}, allowFront));
    expect(err).toBeInstanceOf(UsageError);
    expect(err?.message).toMatch(/more than 5 redirects/);
    expect(front.seen.length).toBe(before + 6);
  });

  it.each([
    [303, "POST", "GET /echo body="],
    [302, "POST", "GET /echo body="],
    [301, "PUT", "PUT /echo body=data"],
    [307, "POST", "POST /echo body=data"],
    [308, "POST", "POST /echo body=data"],
    [303, "HEAD", ""],
  ])("should turn a %d after %s into what browsers send", async (status, method, expected) => {
    const res = await safeFetch(
      `${front.origin}/status/${status}`,
      {
        method,
        body: method === "HEAD" ? undefined : "data",
        headers: { "content-type": "text/plain" },
      },
      allowFront,
    );
    expect(await res.text()).toBe(expected);
    if (expected.startsWith("GET"))
      expect(front.seen.at(-1)?.headers.get("content-type")).toBeNull();
  });

  it("should drop Authorization when a redirect leaves the origin", async () => {
    const res = await safeFetch(toTarget, { headers: { authorization: "Bearer t" } }, allowBoth);
    expect(await res.text()).toBe("GET null");
    expect(front.seen.at(-1)?.headers.get("authorization")).toBe("Bearer t");
  });
});

describe("safeFetch limits", () => {
  it("should return a body up to maxBytes", async () => {
    const res = await safeFetch(
      `${front.origin}/bytes/1000`,
      {},
      { ...allowFront, maxBytes: 1000 },
    );
    expect((await res.text()).length).toBe(1000);
  });

  it("should refuse a declared body over maxBytes before reading it", async () => {
    const err = await errorOf(
      safeFetch(`${front.origin}/bytes/1000`, {}, { ...allowFront, maxBytes: 999 }),
    );
    expect(err).toBeInstanceOf(UsageError);
    expect(err?.message).toMatch(/larger than 999 bytes/);
  });

  it("should cut a streamed body once it passes maxBytes", async () => {
    const res = await safeFetch(
      `${front.origin}/stream/5000`,
      {},
      { ...allowFront, maxBytes: 1000 },
    );
    const err = await errorOf(res.text());
    expect(err).toBeInstanceOf(UsageError);
    expect(err?.message).toMatch(/larger than 1000 bytes/);
  });

  it("should time out waiting for the response", async () => {
    const err = await errorOf(
      safeFetch(`${front.origin}/slow`, {}, { ...allowFront, timeoutMs: 200 }),
    );
    expect(err).toBeInstanceOf(IoError);
    expect(err?.message).toMatch(/timed out after 200 ms/);
  });

  it("should time out while the body is read", async () => {
    const res = await safeFetch(`${front.origin}/stall`, {}, { ...allowFront, timeoutMs: 300 });
    const err = await errorOf(res.text());
    expect(err).toBeInstanceOf(IoError);
    expect(err?.message).toMatch(/timed out after 300 ms/);
  });
});
