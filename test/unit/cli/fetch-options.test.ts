// The CLI's safeFetch options: the config allowlist applies, and each request
// it lets through prints one `coffer: warning: …` line. Loopback only.

import { afterAll, expect, it } from "bun:test";
import { cliFetchOptions } from "../../../src/cli/fetch-options.ts";
import { getStreams, setStreams } from "../../../src/cli/output.ts";
import { parseConfig } from "../../../src/config-schema.ts";
import { UsageError } from "../../../src/errors.ts";
import { safeFetch } from "../../../src/net/safe-fetch.ts";
import { countingServer } from "../../helpers/loopback-server.ts";

const server = countingServer("127.0.0.1");
afterAll(() => server.stop());

it("should allow what the config allows, with a warning, and refuse the rest", async () => {
  const saved = getStreams();
  let stderr = "";
  setStreams({ stdout: saved.stdout, stderr: { write: (t: string) => (stderr += t) } });
  try {
    const config = parseConfig(`[security]\nallowed_private_ips = ["127.0.0.1"]\n`, "c.toml");
    const res = await safeFetch(`${server.origin}/`, {}, cliFetchOptions(config));
    expect(await res.text()).toBe("ok");
    expect(stderr).toBe(
      `coffer: warning: ${server.origin}/: 127.0.0.1 is a loopback address, allowed by allowed_private_ips entry 127.0.0.1\n`,
    );
    const err = await safeFetch(`${server.origin}/`, {}, cliFetchOptions({})).catch((e) => e);
    expect(err).toBeInstanceOf(UsageError);
    expect(server.seen.length).toBe(1);
  } finally {
    setStreams(saved);
  }
});
