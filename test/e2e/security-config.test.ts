// `[security] allowed_private_ips` in the config file, through the binary:
// a bad entry is one error line naming the key and the problem (exit 2).

import { describe, expect, it } from "bun:test";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { coffer } from "../helpers/binary.ts";
import { tempDir } from "../helpers/tmp.ts";

function statusWith(toml: string) {
  const dir = tempDir();
  const config = join(dir, "config.toml");
  writeFileSync(config, toml);
  return coffer(["--config", config, "--db", join(dir, "c.db"), "status"]);
}

describe("[security] allowed_private_ips", () => {
  it.each([
    [
      `["127.0.0.1/40"]`,
      /security\.allowed_private_ips\.0: "127\.0\.0\.1\/40": the prefix length must be 0 to 32/,
    ],
    [
      `["127.0.0.1", "intranet"]`,
      /security\.allowed_private_ips\.1: "intranet" is not an IP address or CIDR range/,
    ],
    [`"127.0.0.1"`, /security\.allowed_private_ips: must be an array/],
  ])("should refuse %s naming the key (2)", (value, message) => {
    const r = statusWith(`[security]\nallowed_private_ips = ${value}\n`);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe("");
    expect(r.stderr.trimEnd().split("\n")).toHaveLength(1);
    expect(r.stderr).toMatch(/^coffer: error: config /);
    expect(r.stderr).toMatch(message);
  });

  it("should refuse an unknown key in [security] (2)", () => {
    const r = statusWith(`[security]\nallow_all = true\n`);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/security\.allow_all: unknown key/);
  });

  it("should accept valid entries", () => {
    const r = statusWith(`[security]\nallowed_private_ips = ["127.0.0.1", "::1", "fd00::/8"]\n`);
    expect(r.code).not.toBe(2);
    expect(r.stderr).not.toMatch(/allowed_private_ips/);
  });
});
