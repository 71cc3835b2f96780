// checkTarget on its own: a pure decision over a URL, the allowlist and a stub
// lookup. Nothing here fetches, so no address below is ever sent a packet.

import { describe, expect, it } from "bun:test";
import { UsageError } from "../../../src/errors.ts";
import { parseAllowlist } from "../../../src/net/allowlist.ts";
import { checkTarget } from "../../../src/net/resolve.ts";

const stub = (addresses: string[]) => async () => addresses;

describe("checkTarget", () => {
  it("should refuse plain http to an allowed address that is not loopback", async () => {
    const rules = parseAllowlist(["10.1.2.3"]);
    const p = checkTarget(new URL("http://intranet.test/x"), rules, stub(["10.1.2.3"]));
    expect(p).rejects.toBeInstanceOf(UsageError);
    expect(p).rejects.toThrow("plain http to a host that is not loopback");
  });

  it("should pass https to the same allowed address, pinned to it", async () => {
    const rules = parseAllowlist(["10.1.2.3"]);
    const target = await checkTarget(new URL("https://intranet.test/x"), rules, stub(["10.1.2.3"]));
    expect(target.address).toBe("10.1.2.3");
    expect(target.byName).toBe(true);
  });

  it("should refuse when any one of the names' addresses is refused", async () => {
    const rules = parseAllowlist(["10.1.2.3"]);
    const p = checkTarget(
      new URL("https://intranet.test/"),
      rules,
      stub(["10.1.2.3", "169.254.169.254"]),
    );
    expect(p).rejects.toThrow("link-local");
  });
});
