// safeFetch refusals and the allowlist, end to end against local servers on
// loopback only: a refused request must leave the server's count at zero.

import { afterAll, describe, expect, it } from "bun:test";
import { join } from "node:path";
import { IoError, UsageError } from "../../../src/errors.ts";
import {
  type SafeFetchAllowedEvent,
  safeFetch,
  safeFetchWith,
} from "../../../src/net/safe-fetch.ts";
import { countingServer } from "../../helpers/loopback-server.ts";
import { tempDir } from "../../helpers/tmp.ts";

const v4 = countingServer("127.0.0.1", (req) => new Response(`host=${req.headers.get("host")}`));
const v4b = countingServer("127.0.0.2");
const v6 = countingServer("::1");
afterAll(() => {
  for (const s of [v4, v4b, v6]) s.stop();
});

/** Names the tests make up, resolved here: real DNS is never asked. */
function fakeLookup(table: Record<string, string[]>) {
  const calls: string[] = [];
  const lookup = async (name: string) => {
    calls.push(name);
    const found = table[name];
    if (!found) throw Object.assign(new Error("not found"), { code: "ENOTFOUND" });
    return found;
  };
  return { calls, lookup };
}

async function refusal(promise: Promise<unknown>): Promise<UsageError> {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(UsageError);
  expect((err as UsageError).code).toBe(2);
  return err as UsageError;
}

describe("safeFetch refuses loopback in every spelling", () => {
  const spellings = [
    `http://127.0.0.1:${v4.port}/`,
    `http://0177.0.0.1:${v4.port}/`,
    `http://2130706433:${v4.port}/`,
    `http://0x7f.1:${v4.port}/`,
    `http://127.1:${v4.port}/`,
    `http://[::ffff:127.0.0.1]:${v4.port}/`,
    `http://[::ffff:7f00:1]:${v4.port}/`,
    `http://localhost:${v4.port}/`,
    `http://LOCALHOST.:${v4.port}/`,
    `https://127.0.0.1:${v4.port}/`,
    `http://127.0.0.2:${v4b.port}/`,
    `http://[::1]:${v6.port}/`,
    `http://[0:0:0:0:0:0:0:1]:${v6.port}/`,
    `http://localhost:${v6.port}/`,
  ];

  it.each(spellings)("should refuse %s, naming the class, and send nothing", async (url) => {
    const err = await refusal(safeFetch(url));
    expect(err.message).toMatch(/a loopback address/);
    expect(err.hint).toMatch(/allowed_private_ips/);
    expect(v4.seen.length + v4b.seen.length + v6.seen.length).toBe(0);
  });

  it("should refuse a name whose addresses include one not allowed, checking every address", async () => {
    const { calls, lookup } = fakeLookup({ "two.test": ["127.0.0.1", "::1"] });
    const opts = { allowedPrivateIps: ["127.0.0.1"] };
    const err = await refusal(safeFetchWith({ lookup }, `http://two.test:${v4.port}/`, {}, opts));
    expect(err.message).toMatch(/two\.test resolves to ::1, a loopback address/);
    expect(calls).toEqual(["two.test"]);
    expect(v4.seen.length + v6.seen.length).toBe(0);
  });

  it("should refuse schemes other than http and https", async () => {
    expect((await refusal(safeFetch("file:///etc/passwd"))).message).toMatch(/only http and https/);
  });

  it("should report a name that does not resolve as an I/O error", async () => {
    const { lookup } = fakeLookup({});
    const err = await safeFetchWith({ lookup }, "https://nowhere.test/").catch((e) => e);
    expect(err).toBeInstanceOf(IoError);
    expect(err.message).toMatch(/cannot resolve nowhere\.test: ENOTFOUND/);
  });
});

describe("safeFetch with allowedPrivateIps", () => {
  it("should reach an allowed address, and tell onAllowed", async () => {
    const events: SafeFetchAllowedEvent[] = [];
    const before = v4.seen.length;
    const res = await safeFetch(
      `http://127.0.0.1:${v4.port}/x?y=1`,
      {},
      {
        allowedPrivateIps: ["127.0.0.1"],
        onAllowed: (e) => events.push(e),
      },
    );
    expect(res.status).toBe(200);
    expect(res.url).toBe(`http://127.0.0.1:${v4.port}/x?y=1`);
    expect(await res.text()).toBe(`host=127.0.0.1:${v4.port}`);
    expect(v4.seen.length).toBe(before + 1);
    expect(events).toEqual([
      {
        url: `http://127.0.0.1:${v4.port}/x?y=1`,
        address: "127.0.0.1",
        addressClass: "loopback",
        rule: "127.0.0.1",
      },
    ]);
  });

  it("should connect to the address it checked, with the name in Host, resolving once", async () => {
    const { calls, lookup } = fakeLookup({ "app.test": ["127.0.0.1"] });
    const res = await safeFetchWith(
      { lookup },
      `http://app.test:${v4.port}/`,
      {},
      { allowedPrivateIps: ["127.0.0.0/8"] },
    );
    // Bun cannot resolve app.test itself: reaching the server proves no second lookup happened.
    expect(await res.text()).toBe(`host=app.test:${v4.port}`);
    expect(calls).toEqual(["app.test"]);
  });

  it("should match CIDR ranges and IPv6 entries, and unwrap IPv4-mapped addresses", async () => {
    const r1 = await safeFetch(
      `http://127.0.0.2:${v4b.port}/`,
      {},
      { allowedPrivateIps: ["127.0.0.0/30"] },
    );
    expect(r1.status).toBe(200);
    const r2 = await safeFetch(`http://[::1]:${v6.port}/`, {}, { allowedPrivateIps: ["::1/128"] });
    expect(r2.status).toBe(200);
    const r3 = await safeFetch(
      `http://[::ffff:127.0.0.1]:${v4.port}/`,
      {},
      { allowedPrivateIps: ["127.0.0.1"] },
    );
    expect(r3.status).toBe(200);
    await refusal(
      safeFetch(`http://127.0.0.2:${v4b.port}/`, {}, { allowedPrivateIps: ["127.0.0.1"] }),
    );
  });

  it("should refuse a bad allowlist entry or option before any request", async () => {
    const before = v4.seen.length;
    const err = await refusal(
      safeFetch(`http://127.0.0.1:${v4.port}/`, {}, { allowedPrivateIps: ["127.0.0.1/40"] }),
    );
    expect(err.message).toMatch(/prefix length/);
    await refusal(
      safeFetch(
        `http://127.0.0.1:${v4.port}/`,
        {},
        { allowedPrivateIps: ["127.0.0.1"], maxRedirects: -1 },
      ),
    );
    expect(v4.seen.length).toBe(before);
  });

  it("should take a Request as input, body and method included", async () => {
    const req = new Request(`http://127.0.0.1:${v4.port}/post`, {
      method: "POST",
      body: "payload",
    });
    const res = await safeFetch(req, {}, { allowedPrivateIps: ["127.0.0.1"] });
    expect(res.status).toBe(200);
    const last = v4.seen.at(-1);
    expect([last?.method, last?.path, last?.body]).toEqual(["POST", "/post", "payload"]);
  });

  it("should ignore init options that would send the request elsewhere (unix, proxy)", async () => {
    const sock = join(tempDir(), "s.sock");
    let unixHits = 0;
    const unix = Bun.serve({
      unix: sock,
      fetch: () => {
        unixHits++;
        return new Response("unix");
      },
    });
    try {
      const proxyHitsBefore = v4b.seen.length;
      const init = { unix: sock, proxy: `http://127.0.0.2:${v4b.port}` };
      const res = await safeFetch(`http://127.0.0.1:${v4.port}/`, init, {
        allowedPrivateIps: ["127.0.0.1"],
      });
      expect(await res.text()).toBe(`host=127.0.0.1:${v4.port}`);
      expect([unixHits, v4b.seen.length]).toEqual([0, proxyHitsBefore]);
    } finally {
      unix.stop(true);
    }
  });
});
