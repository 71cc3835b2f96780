// Four processes of the binary (COFFER_DB=postgres://…, passphrase from a
// file) store secrets while `secret passwd` runs: no set is lost, each secret
// has exactly the versions that were stored, and afterwards exactly one
// passphrase opens the vault — the new one if passwd succeeded, else the old.

import { describe, expect, setDefaultTimeout, test } from "bun:test";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { BINARY, baseEnv, coffer } from "../helpers/binary.ts";
import { freshDatabase, pgServer } from "../helpers/pg-server.ts";
import { tempDir } from "../helpers/tmp.ts";
import { cheapConfig, vaultEnv } from "../helpers/vault.ts";

setDefaultTimeout(180_000);

const pg = await pgServer();
const WRITERS = 4;
const SETS = 6;

interface Done {
  code: number;
  stdout: string;
  stderr: string;
}

async function spawn(args: string[], env: Record<string, string | undefined>, stdin?: string) {
  const proc = Bun.spawn([BINARY, ...args], {
    env: baseEnv(env),
    stdin: stdin === undefined ? "ignore" : new TextEncoder().encode(stdin),
    stdout: "pipe",
    stderr: "pipe",
  });
  const [stdout, stderr] = await Promise.all([
    new Response(proc.stdout).text(),
    new Response(proc.stderr).text(),
  ]);
  return { code: await proc.exited, stdout, stderr } satisfies Done;
}

describe.skipIf(!pg)("vault writers on PostgreSQL while the passphrase changes", () => {
  test("lose no set, and leave exactly one passphrase that works", async () => {
    if (!pg) return;
    const db = await freshDatabase(pg, "vault_procs");
    const dir = tempDir();
    cheapConfig(dir);
    const oldFile = join(dir, "old");
    const newFile = join(dir, "new");
    writeFileSync(oldFile, "old passphrase\n", { mode: 0o600 });
    writeFileSync(newFile, "new passphrase\n", { mode: 0o600 });
    const base = vaultEnv(dir, { COFFER_DB: db.url });
    const withPass = (file: string) => ({ ...base, COFFER_PASSPHRASE_FILE: file });
    expect(coffer(["secret", "set", "SEED"], { env: withPass(oldFile), stdin: "seed" }).code).toBe(
      0,
    );

    const refusals: string[] = [];
    /** One `secret set`, with the old passphrase until it stops working; retried when busy. */
    async function set(name: string, value: string): Promise<number> {
      for (let attempt = 0; attempt < 20; attempt++) {
        for (const file of [oldFile, newFile]) {
          const r = await spawn(["--json", "secret", "set", name], withPass(file), value);
          if (r.code === 0) return JSON.parse(r.stdout).version;
          refusals.push(`${r.code} ${r.stderr.trim()}`);
          if (r.code !== 4) break; // 6 (re-keyed or busy): again from the old passphrase
        }
      }
      throw new Error(`set ${name} never succeeded: ${refusals.slice(-3).join(" / ")}`);
    }
    const writers = Array.from({ length: WRITERS }, async (_, w) => {
      const versions: number[] = [];
      for (let i = 1; i <= SETS; i++) versions.push(await set(`W${w}`, `w${w}-value-${i}`));
      return versions;
    });
    await Bun.sleep(300); // the writers are under way
    const passwd = spawn(["--json", "secret", "passwd"], {
      ...withPass(oldFile),
      COFFER_NEW_PASSPHRASE_FILE: newFile,
    });
    const [versions, changed] = await Promise.all([Promise.all(writers), passwd]);
    for (const v of versions) expect(v).toEqual([1, 2, 3, 4, 5, 6]);
    // Refusals other than a wrong passphrase (4) or busy/re-keyed (6) are failures.
    for (const r of refusals) expect(r).toMatch(/^[46] coffer: error: /);

    const works = changed.code === 0 ? newFile : oldFile;
    const fails = changed.code === 0 ? oldFile : newFile;
    if (changed.code !== 0) expect(changed.code).toBe(6); // gave up racing: nothing changed
    const wrong = coffer(["secret", "get", "SEED"], { env: withPass(fails) });
    expect(wrong.code).toBe(4);
    expect(wrong.stderr).toBe("coffer: error: wrong passphrase\n");
    const env = withPass(works);
    for (let w = 0; w < WRITERS; w++) {
      const history = JSON.parse(coffer(["--json", "secret", "history", `W${w}`], { env }).stdout);
      expect(history.map((h: { version: number }) => h.version)).toEqual([1, 2, 3, 4, 5, 6]);
      for (let i = 1; i <= SETS; i++) {
        const r = coffer(["secret", "get", `W${w}`, "--version", String(i)], { env });
        expect(r.stdout).toBe(`w${w}-value-${i}`);
      }
    }
    expect(coffer(["secret", "get", "SEED"], { env }).stdout).toBe("seed");
    console.log(`passwd exit ${changed.code}; ${refusals.length} refused attempt(s) retried`);
  });
});
