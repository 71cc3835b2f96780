// Secrets through coffer serve: 423 while locked, the vault unlocked once at
// start, rules per scope, binary values, and the audit trail after mixed CLI
// and HTTP use: it verifies, names the key, and never holds a value.

import { Database } from "bun:sqlite";
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { coffer } from "../helpers/binary.ts";
import { freshDatabase, pgServer } from "../helpers/pg-server.ts";
import { call, makeKey, type Served, serve } from "../helpers/serve.ts";
import { tempDir } from "../helpers/tmp.ts";
import { cheapConfig } from "../helpers/vault.ts";

const pg = await pgServer();
const PASS = "serve passphrase";
const VALUE = "sk-serve-secret-7d1c0b";

function envFor(dir: string, passphrase?: string): Record<string, string | undefined> {
  return {
    COFFER_CONFIG: cheapConfig(dir),
    ...(passphrase ? { COFFER_PASSPHRASE: passphrase } : {}),
  };
}

describe("secret routes with the vault locked", () => {
  test("answer 423 after the key and its right were checked", async () => {
    const dir = tempDir("coffer-locked-");
    const s = await serve({ dir, env: envFor(dir) });
    try {
      expect(s.stderr()).toContain("the vault is locked");
      const key = makeKey(s.db, "k", "secrets:global");
      const locked = await call(s.socket, "GET", "/v1/secrets/global/A", { key });
      expect(locked.status).toBe(423);
      expect(locked.body).toMatchObject({ error: { code: "vault_locked", exit: 4 } });
      expect(
        (await call(s.socket, "PUT", "/v1/secrets/global/A", { key, body: { value: "x" } })).status,
      ).toBe(423);
      expect((await call(s.socket, "GET", "/v1/secrets", { key })).status).toBe(423);
      expect((await call(s.socket, "GET", "/v1/secrets/other/A", { key })).status).toBe(403);
      expect((await call(s.socket, "GET", "/v1/secrets/global/A")).status).toBe(401);
      const status = await call(s.socket, "GET", "/v1/status", {
        key: makeKey(s.db, "adm", "admin"),
      });
      expect(status.body).toMatchObject({ engine: "sqlite", vault: "locked" });
    } finally {
      expect(await s.stop()).toBe(0);
    }
  });

  test("a wrong passphrase at start is exit 4, and nothing listens", async () => {
    const dir = tempDir("coffer-wrongpass-");
    const env = envFor(dir, PASS);
    const db = join(dir, "c.db");
    expect(coffer(["--db", db, "secret", "set", "A"], { env, stdin: "v" }).code).toBe(0);
    const r = coffer(["--db", db, "serve", "--socket", join(dir, "s.sock")], {
      env: { ...env, COFFER_PASSPHRASE: "wrong" },
    });
    expect(r.code).toBe(4);
    expect(r.stderr).toBe("coffer: error: wrong passphrase\n");
    expect(existsSync(join(dir, "s.sock"))).toBe(false);
  });
});

describe("secret routes with the vault unlocked", () => {
  let dir: string;
  let s: Served;
  let env: Record<string, string | undefined>;
  let agent: string;

  beforeAll(async () => {
    dir = tempDir("coffer-secrets-");
    env = envFor(dir, PASS);
    expect(
      coffer(["--db", join(dir, "c.db"), "secret", "set", "CLI_SET"], { env, stdin: "from-cli" })
        .code,
    ).toBe(0);
    s = await serve({ dir, env });
    agent = makeKey(s.db, "agent-1", "secrets:agent-1,secrets:global:read");
  });

  afterAll(async () => {
    await s.stop();
  });

  test("put, get, list and delete within the key's scopes, with the CLI's semantics", async () => {
    const put = await call(s.socket, "PUT", "/v1/secrets/agent-1/OPENAI", {
      key: agent,
      body: { value: VALUE },
    });
    expect(put).toMatchObject({
      status: 200,
      body: { name: "OPENAI", scope: "agent-1", version: 1 },
    });
    const again = await call(s.socket, "PUT", "/v1/secrets/agent-1/OPENAI", {
      key: agent,
      body: { value: `${VALUE}2` },
    });
    expect((again.body as { version: number }).version).toBe(2);
    const got = await call(s.socket, "GET", "/v1/secrets/agent-1/OPENAI", { key: agent });
    expect(got.body).toEqual({ name: "OPENAI", scope: "agent-1", version: 2, value: `${VALUE}2` });
    const old = await call(s.socket, "GET", "/v1/secrets/agent-1/OPENAI?version=1", { key: agent });
    expect((old.body as { value: string }).value).toBe(VALUE);
    expect(
      (await call(s.socket, "GET", "/v1/secrets/global/CLI_SET", { key: agent })).body,
    ).toMatchObject({ value: "from-cli" });
    // The CLI sees what the server stored, and the other way round.
    expect(
      coffer(["--db", s.db, "secret", "get", "OPENAI", "--scope", "agent-1"], { env }).stdout,
    ).toBe(`${VALUE}2`);
    const listed = (await call(s.socket, "GET", "/v1/secrets", { key: agent })).body as {
      name: string;
      preview: string;
    }[];
    expect(listed.map((r) => r.name).sort()).toEqual(["CLI_SET", "OPENAI"]);
    expect(JSON.stringify(listed)).not.toContain(VALUE);
    expect(
      (await call(s.socket, "DELETE", "/v1/secrets/agent-1/OPENAI", { key: agent })).status,
    ).toBe(204);
    expect((await call(s.socket, "GET", "/v1/secrets/agent-1/OPENAI", { key: agent })).status).toBe(
      404,
    );
  });

  test("refuses what the rules do not allow, and lists only readable scopes", async () => {
    expect(
      (await call(s.socket, "PUT", "/v1/secrets/global/X", { key: agent, body: { value: "x" } }))
        .status,
    ).toBe(403);
    expect((await call(s.socket, "GET", "/v1/secrets/agent-2/X", { key: agent })).status).toBe(403);
    const other = makeKey(s.db, "agent-2", "secrets:agent-2");
    expect(
      (
        await call(s.socket, "PUT", "/v1/secrets/agent-2/MINE", {
          key: other,
          body: { value: "m" },
        })
      ).status,
    ).toBe(200);
    const seen = (await call(s.socket, "GET", "/v1/secrets", { key: other })).body as {
      scope: string;
    }[];
    expect(seen.map((r) => r.scope)).toEqual(["agent-2"]);
    const none = makeKey(s.db, "queues-only", "queue:*");
    expect((await call(s.socket, "GET", "/v1/secrets", { key: none })).status).toBe(403);
    const bad = await call(s.socket, "PUT", "/v1/secrets/agent-1/BAD-NAME", {
      key: agent,
      body: { value: "x" },
    });
    expect(bad.status).toBe(400);
    const both = await call(s.socket, "PUT", "/v1/secrets/agent-1/B", {
      key: agent,
      body: { value: "x", valueBase64: "eA==" },
    });
    expect(both.status).toBe(400);
  });

  test("keeps bytes that are not UTF-8 exactly, as valueBase64", async () => {
    const bytes = Buffer.from([0xff, 0x00, 0xfe, 0x41]);
    const put = await call(s.socket, "PUT", "/v1/secrets/agent-1/BIN", {
      key: agent,
      body: { valueBase64: bytes.toString("base64") },
    });
    expect(put.status).toBe(200);
    const got = (await call(s.socket, "GET", "/v1/secrets/agent-1/BIN", { key: agent }))
      .body as Record<string, unknown>;
    expect(got.value).toBeUndefined();
    expect(Buffer.from(got.valueBase64 as string, "base64")).toEqual(bytes);
  });

  test("a Python agent reads its secret with the standard library", () => {
    const py = `
import http.client, json, socket, sys
class C(http.client.HTTPConnection):
    def connect(self):
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM); self.sock.connect(sys.argv[1])
c = C("localhost")
c.request("GET", "/v1/secrets/global/CLI_SET", headers={"Authorization": "Bearer " + sys.argv[2]})
r = c.getresponse(); print(r.status, json.loads(r.read())["value"])
`;
    const r = Bun.spawnSync(["python3", "-c", py, s.socket, agent], {
      stdout: "pipe",
      stderr: "pipe",
    });
    expect(r.stdout.toString()).toBe("200 from-cli\n");
  });

  test("the audit trail after CLI and HTTP use verifies, names each actor and holds no value", async () => {
    await call(s.socket, "GET", "/v1/secrets/global/CLI_SET", { key: agent });
    expect(coffer(["--db", s.db, "secret", "get", "CLI_SET"], { env }).code).toBe(0);
    const rows = JSON.parse(
      coffer(["--db", s.db, "--json", "audit", "--limit", "1000"], { env }).stdout,
    ) as {
      actor: string;
      action: string;
      outcome: string;
    }[];
    const actors = new Set(rows.map((r) => r.actor));
    expect([...actors].sort()).toEqual(["agent-1", "agent-2", "cli", "queues-only"]);
    expect(
      rows.some((r) => r.actor === "agent-1" && r.action === "set" && r.outcome === "denied"),
    ).toBe(true);
    expect(
      rows.some((r) => r.actor === "agent-1" && r.action === "get" && r.outcome === "not_found"),
    ).toBe(true);
    expect(coffer(["--db", s.db, "audit", "--verify"], { env }).code).toBe(0);
    const raw = new Database(s.db, { readonly: true });
    const dump = JSON.stringify(raw.query("SELECT * FROM audit").all());
    raw.close();
    for (const secret of [VALUE, `${VALUE}2`, "from-cli", PASS]) expect(dump).not.toContain(secret);
  });
});

describe.skipIf(!pg)("secret routes on PostgreSQL", () => {
  test("put and get through serve, read back by the CLI, audited", async () => {
    if (!pg) return;
    const db = await freshDatabase(pg, "serve_secrets");
    const dir = tempDir("coffer-pgsecrets-");
    const env = envFor(dir, PASS);
    const s = await serve({ db: db.url, dir, env });
    try {
      const key = makeKey(db.url, "pg-agent", "secrets:*");
      const put = await call(s.socket, "PUT", "/v1/secrets/global/PG", {
        key,
        body: { value: VALUE },
      });
      expect(put.status).toBe(200);
      expect((await call(s.socket, "GET", "/v1/secrets/global/PG", { key })).body).toMatchObject({
        value: VALUE,
      });
      expect(coffer(["--db", db.url, "secret", "get", "PG"], { env }).stdout).toBe(VALUE);
      expect(coffer(["--db", db.url, "audit", "--verify"], { env }).code).toBe(0);
      const audit = coffer(["--db", db.url, "--json", "audit"], { env }).stdout;
      expect(audit).toContain('"pg-agent"');
      expect(audit).not.toContain(VALUE);
    } finally {
      expect(await s.stop()).toBe(0);
    }
  });
});
