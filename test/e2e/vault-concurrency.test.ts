// Many processes writing one vault at once: every write lands, none is lost
// to another's generation check, and the entry set still verifies; writers
// killed at random moments leave a vault that still opens and verifies.

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

describe("killed vault writers", () => {
  it("should leave a vault that opens and verifies after SIGKILLs at random moments", async () => {
    for (let i = 0; i < 12; i++) {
      const proc = Bun.spawn([BINARY, "secret", "set", `KILLED_${i % 3}`], {
        env: baseEnv(env),
        stdin: new TextEncoder().encode(`killed-${i}`),
        stdout: "ignore",
        stderr: "ignore",
      });
      await Bun.sleep(20 + Math.random() * 200);
      proc.kill("SIGKILL");
      await proc.exited;
    }
    const list = coffer(["secret", "list", "--json"], { env });
    expect(list.code).toBe(0);
    for (const row of JSON.parse(list.stdout) as { name: string; version: number }[]) {
      const history = coffer(["secret", "history", row.name, "--json"], { env });
      expect(history.code).toBe(0);
      expect(JSON.parse(history.stdout).at(-1).version).toBe(row.version);
    }
  });
});
