// Many processes writing one vault at once: every write lands, none is lost
// to another's generation check, and the entry set still verifies.

import { beforeAll, describe, expect, it, setDefaultTimeout } from "bun:test";
import { BINARY, baseEnv, coffer, ensureBinary } from "../helpers/binary.ts";
import { tempDir } from "../helpers/tmp.ts";
import { cheapConfig, vaultEnv } from "../helpers/vault.ts";

setDefaultTimeout(60_000);

const dir = tempDir();
const env = vaultEnv(dir, { COFFER_PASSPHRASE: "many writers" });

beforeAll(() => {
  ensureBinary();
  cheapConfig(dir);
  expect(coffer(["secret", "set", "SEED"], { env, stdin: "seed" }).code).toBe(0);
});

describe("concurrent vault writers", () => {
  it("should keep every write from 8 processes at once", async () => {
    const writers = Array.from({ length: 8 }, (_, i) => {
      const proc = Bun.spawn([BINARY, "secret", "set", i % 2 ? "SHARED" : `KEY_${i}`], {
        env: baseEnv(env),
        stdin: new TextEncoder().encode(`value-${i}`),
        stdout: "pipe",
        stderr: "pipe",
      });
      return proc.exited;
    });
    expect(await Promise.all(writers)).toEqual(Array(8).fill(0));
    const list = JSON.parse(coffer(["secret", "list", "--json"], { env }).stdout) as {
      name: string;
      version: number;
    }[];
    const names = list.map((r) => r.name).sort();
    expect(names).toEqual(["KEY_0", "KEY_2", "KEY_4", "KEY_6", "SEED", "SHARED"]);
    expect(list.find((r) => r.name === "SHARED")?.version).toBe(4);
  });
});
