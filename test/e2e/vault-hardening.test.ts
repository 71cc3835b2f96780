// Issue 7 against the binary, the vault's part: no core dumps from a process
// holding keys (6), entries without metadata (8), a refused first set (9),
// verify opening every version (10), a failed scrub after passwd/rotate (17,
// 18) and the KDF's cost bound (28).

import { Database } from "bun:sqlite";
import { beforeAll, describe, expect, it, setDefaultTimeout } from "bun:test";
import {
  chownSync,
  copyFileSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { join } from "node:path";
import { BINARY, baseEnv, coffer, ensureBinary } from "../helpers/binary.ts";
import { FIXTURES } from "../helpers/procs.ts";
import { tempDir } from "../helpers/tmp.ts";
import { cheapConfig, VECTOR_PASSPHRASE, vaultEnv, writeVectorStore } from "../helpers/vault.ts";

setDefaultTimeout(60_000);

beforeAll(() => {
  ensureBinary();
});

/** A directory with the cheap config; env with passphrase `pw` unless told otherwise. */
function fresh(passphrase = "pw"): { dir: string; env: Record<string, string | undefined> } {
  const dir = tempDir();
  cheapConfig(dir);
  return { dir, env: vaultEnv(dir, { COFFER_PASSPHRASE: passphrase }) };
}

/** The vector store, edited through plain SQL. */
function vectorStore(edit: (db: Database) => void = () => {}) {
  const { dir, env } = fresh(VECTOR_PASSPHRASE);
  const path = join(dir, "coffer.db");
  writeVectorStore(path);
  const db = new Database(path, { strict: true });
  edit(db);
  db.close();
  return { dir, path, env };
}

function metaRows(path: string): number {
  const db = new Database(path, { readonly: true });
  try {
    return (db.query("SELECT count(*) AS n FROM vault_meta").get() as { n: number }).n;
  } finally {
    db.close();
  }
}

function oneError(stderr: string): string {
  const errors = stderr.split("\n").filter((l) => l.startsWith("coffer: error: "));
  expect(errors.length).toBe(1);
  expect(stderr).not.toContain("    at ");
  return errors[0] as string;
}

describe("6: no core dumps from a process that holds keys", () => {
  const raise = 'ulimit -S -c "$(ulimit -H -c)"; exec "$@"';

  it("should set the soft core limit to 0 and make the process non-dumpable", () => {
    const r = Bun.spawnSync(["sh", "-c", raise, "sh", "bun", join(FIXTURES, "core-dumps.ts")]);
    const out = JSON.parse(r.stdout.toString());
    if (out.before.coreSoft === "0") console.log("note: the hard core limit is 0 here");
    expect(out.before.dumpable).toBe(1);
    expect(out).toMatchObject({ guard: "applied", again: "applied" });
    expect(out.after).toEqual({ coreSoft: "0", dumpable: 0 });
  });

  it("should hold no core limit while `coffer run` holds the secrets (compiled binary)", async () => {
    const { dir, env } = fresh();
    expect(coffer(["secret", "set", "A"], { env, stdin: "value-a" }).code).toBe(0);
    // Running as nobody shows dumpable=0: /proc/PID/* of a non-dumpable process is root's.
    const asNobody = process.getuid?.() === 0 && Bun.which("setpriv") !== null;
    if (asNobody) chownTree(dir, 65_534);
    else console.log("note: not root or no setpriv: the dumpable check is skipped");
    const prefix = asNobody ? ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"] : [];
    const proc = Bun.spawn(
      [...prefix, "sh", "-c", raise, "sh", BINARY, "run", "--", "sh", "-c", "echo ready; sleep 30"],
      { env: baseEnv({ ...env, HOME: dir }), stdout: "pipe", stderr: "pipe" },
    );
    try {
      await untilLine(proc.stdout, "ready");
      const pid = proc.pid; // setpriv and sh exec: this is coffer itself
      expect(readlinkExe(pid)).toBe(BINARY);
      expect(coreSoft(pid)).toBe("0");
      const child = childOf(pid);
      expect(coreSoft(child)).toBe("0"); // inherited by the child, which holds the secrets too
      if (asNobody) {
        expect(statSync(`/proc/${pid}/status`).uid).toBe(0);
        // The child's execve made it dumpable again: only coffer itself is locked down.
        expect(statSync(`/proc/${child}/status`).uid).toBe(65_534);
      }
    } finally {
      proc.kill("SIGTERM");
      await proc.exited;
    }
  });
});

describe("8: entries without their metadata row", () => {
  it("should call the vault damaged (5) and never create a vault over the entries", () => {
    const { path, env } = vectorStore((db) => db.run("DELETE FROM vault_meta"));
    const get = coffer(["secret", "get", "OPENAI_API_KEY"], { env });
    expect(get.code).toBe(5);
    expect(oneError(get.stderr)).toContain("metadata is missing while 5 stored version(s) remain");
    const set = coffer(["secret", "set", "NEW"], { env, stdin: "x" });
    expect(set.code).toBe(5);
    expect(set.stderr).not.toContain("created a new vault");
    expect(metaRows(path)).toBe(0);
    const status = coffer(["status"], { env });
    expect(status.code).toBe(5);
    expect(status.stdout).toContain("damaged: vault metadata is missing");
  });
});

describe("9: a refused first set creates nothing", () => {
  const big = "x".repeat(1024 * 1024 + 1);

  it("should refuse an oversized first value before creating the vault", () => {
    const { dir, env } = fresh("mistyped");
    const r = coffer(["secret", "set", "BIG"], { env, stdin: big });
    expect(r.code).toBe(2);
    expect(r.stderr).not.toContain("created a new vault");
    expect(coffer(["status"], { env }).stdout).toContain("none yet");
    // The real passphrase now makes the vault: the mistyped one left nothing behind.
    const ok = { ...env, COFFER_PASSPHRASE: "right" };
    expect(coffer(["secret", "set", "A"], { env: ok, stdin: "a" }).code).toBe(0);
    expect(coffer(["secret", "get", "A"], { env: ok }).stdout).toBe("a");
    expect(metaRows(join(dir, "coffer.db"))).toBe(1);
  });

  it("should refuse an oversized import value before creating the vault", () => {
    const { dir, env } = fresh();
    const file = join(dir, "in.env");
    writeFileSync(file, `SMALL=a\nBIG=${big}\n`);
    const r = coffer(["secret", "import", file], { env });
    expect(r.code).toBe(2);
    expect(oneError(r.stderr)).toContain("the value of BIG is larger than");
    expect(coffer(["status"], { env }).stdout).toContain("none yet");
  });
});

describe("10: verify with a passphrase opens every version", () => {
  it("should fail a flipped ciphertext byte in an old version (5) that the digest cannot see", () => {
    const { dir, path } = vectorStore((db) => {
      const where = "name = 'OPENAI_API_KEY' AND version = 1";
      const row = db.query(`SELECT ciphertext FROM vault_entries WHERE ${where}`).get() as {
        ciphertext: Uint8Array;
      };
      const bytes = new Uint8Array(row.ciphertext);
      bytes[2] = (bytes[2] as number) ^ 0x01;
      db.query(`UPDATE vault_entries SET ciphertext = ? WHERE ${where}`).run(bytes);
    });
    const backup = join(dir, "flipped.db");
    copyFileSync(path, backup);
    const pass = join(dir, "pass");
    writeFileSync(pass, `${VECTOR_PASSPHRASE}\n`);
    const env = { XDG_CONFIG_HOME: join(dir, "xdg") };
    const r = coffer(["verify", backup, "--passphrase-file", pass], { env });
    expect(r.code).toBe(5);
    expect(r.stdout).toMatch(
      /FAIL.*vault unlock.*OPENAI_API_KEY.*version 1.*failed authentication/,
    );
    expect(r.stdout).not.toContain("sk-");
  });

  it("should pass the untouched vector and say every version decrypts", () => {
    const { dir, path } = vectorStore();
    const pass = join(dir, "pass");
    writeFileSync(pass, VECTOR_PASSPHRASE);
    const r = coffer(["verify", path, "--passphrase-file", pass], {
      env: { XDG_CONFIG_HOME: join(dir, "xdg") },
    });
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("all 5 version(s) decrypt");
  });
});

describe("17/18: a failed scrub after passwd or rotate", () => {
  const strace = Bun.which("strace");

  for (const [command, inForce] of [
    ["passwd", "the new passphrase is in force, but scrubbing old key copies failed"],
    ["rotate", "the new master key is in force (1 version(s) re-encrypted), but scrubbing"],
  ] as const) {
    it(`should exit 7 after ${command} has committed, saying the change is in force`, () => {
      if (!strace) {
        console.log("note: no strace: the fault-injection test is skipped");
        return;
      }
      const { dir, env } = fresh("old");
      expect(coffer(["secret", "set", "A"], { env, stdin: "value-a" }).code).toBe(0);
      const store = join(dir, "coffer.db");
      const base = join(dir, "base.db");
      copyFileSync(store, base);
      const runEnv = { ...env, COFFER_NEW_PASSPHRASE: "new" };
      // A dry run finds the checkpoint's fsync of the main file: the first fsync on coffer.db.
      const log = join(dir, "trace.txt");
      const dry = traced(["-y", "-o", log, "-e", "trace=fsync"], command, runEnv);
      expect(dry.code).toBe(0);
      const calls = readFileSync(log, "utf8")
        .split("\n")
        .filter((l) => l.includes("fsync("));
      const n = calls.findIndex((l) => l.includes("coffer.db>")) + 1;
      expect(n).toBeGreaterThan(0);

      copyFileSync(base, store);
      const inject = [
        "-o",
        "/dev/null",
        "-e",
        "trace=fsync",
        "-e",
        `inject=fsync:error=EIO:when=${n}`,
      ];
      const r = traced(inject, command, runEnv);
      expect(r.code).toBe(7);
      expect(oneError(r.stderr)).toContain(inForce);
      expect(r.stderr).toContain("I/O error");
      expect(r.stderr).not.toContain("passphrase changed");
      expect(r.stderr).not.toContain("new master key;");
      // And it is in force.
      const now = command === "passwd" ? "new" : "old";
      const get = coffer(["secret", "get", "A"], { env: { ...env, COFFER_PASSPHRASE: now } });
      expect(get.stdout).toBe("value-a");
      if (command === "passwd") expect(coffer(["secret", "get", "A"], { env }).code).toBe(4);
    });
  }
});

describe("28: the KDF's cost", () => {
  it("should refuse a stored vault with m=1 GiB and t=10 before deriving (5)", () => {
    const { env } = vectorStore((db) =>
      db.run("UPDATE vault_meta SET kdf_memory_kib = 1048576, kdf_iterations = 10"),
    );
    const r = coffer(["secret", "get", "OPENAI_API_KEY"], { env });
    expect(r.code).toBe(5);
    expect(oneError(r.stderr)).toContain("cost m×t = 1048576 KiB × 10 is above the maximum");
  });

  it("should refuse such parameters in the config (2) and create nothing", () => {
    const { dir, env } = fresh();
    writeFileSync(
      join(dir, "config.toml"),
      "[vault]\nkdf_memory_kib = 1048576\nkdf_iterations = 10\n",
    );
    const r = coffer(["secret", "set", "A"], { env, stdin: "a" });
    expect(r.code).toBe(2);
    expect(oneError(r.stderr)).toContain("kdf_memory_kib × kdf_iterations = 10485760");
  });
});

function traced(straceArgs: string[], command: string, env: Record<string, string | undefined>) {
  const r = Bun.spawnSync(["strace", "-f", ...straceArgs, BINARY, "secret", command], {
    env: baseEnv(env),
    stdout: "pipe",
    stderr: "pipe",
  });
  return { code: r.exitCode, stdout: r.stdout.toString(), stderr: r.stderr.toString() };
}

async function untilLine(stream: ReadableStream<Uint8Array>, line: string): Promise<void> {
  const reader = stream.getReader();
  let seen = "";
  while (!seen.includes(line)) {
    const { value, done } = await reader.read();
    if (done) throw new Error(`exited before printing ${line}: ${seen}`);
    seen += new TextDecoder().decode(value);
  }
  reader.releaseLock();
}

function coreSoft(pid: number): string | undefined {
  return readFileSync(`/proc/${pid}/limits`, "utf8")
    .split("\n")
    .find((l) => l.startsWith("Max core file size"))
    ?.split(/\s{2,}/)[1];
}

function childOf(pid: number): number {
  const text = readFileSync(`/proc/${pid}/task/${pid}/children`, "utf8");
  return Number(text.trim().split(/\s+/)[0]);
}

function readlinkExe(pid: number): string {
  return readlinkSync(`/proc/${pid}/exe`);
}

function chownTree(dir: string, uid: number): void {
  chownSync(dir, uid, uid);
  for (const name of readdirSync(dir)) chownSync(join(dir, name), uid, uid);
}
