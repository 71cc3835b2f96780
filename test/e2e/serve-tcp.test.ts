// coffer serve over TCP: loopback only without TLS (SEC-01), the Host check on
// TCP too, and with --tls-cert/--tls-key a listener that refuses TLS 1.1 (SEC-10).

import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { existsSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { coffer } from "../helpers/binary.ts";
import { makeKey, type Served, serve } from "../helpers/serve.ts";
import { tempDir } from "../helpers/tmp.ts";

const dir = tempDir("coffer-tls-");

describe("coffer serve --listen", () => {
  test("refuses an address that is not loopback without TLS (exit 2), before binding anything", () => {
    for (const listen of ["0.0.0.0:0", "192.168.1.10:0", "[::]:0", "example.com:0"]) {
      const r = coffer([
        "--db",
        join(dir, "r.db"),
        "serve",
        "--socket",
        join(dir, "r.sock"),
        "--listen",
        listen,
      ]);
      expect(r.code, listen).toBe(2);
      expect(r.stderr).toMatch(/^coffer: error: refusing to listen on .* without TLS\n/);
    }
    const half = coffer([
      "--db",
      join(dir, "r.db"),
      "serve",
      "--listen",
      "127.0.0.1:0",
      "--tls-cert",
      "x",
    ]);
    expect(half.code).toBe(2);
    expect(coffer(["--db", join(dir, "r.db"), "serve", "--listen", "nonsense"]).code).toBe(2);
  });

  test("a port in use is exit 6 and a refused certificate exit 2, the socket taken down again", () => {
    const taken = Bun.serve({ hostname: "127.0.0.1", port: 0, fetch: () => new Response("") });
    try {
      const sock = join(dir, "busy.sock");
      const r = coffer([
        "--db",
        join(dir, "b.db"),
        "serve",
        "--socket",
        sock,
        "--listen",
        `127.0.0.1:${taken.port}`,
      ]);
      expect(r.code).toBe(6);
      expect(r.stderr).toMatch(/^coffer: error: 127\.0\.0\.1:\d+ is in use\n/);
      expect(existsSync(sock)).toBe(false);
      const pem = join(dir, "bad.pem");
      writeFileSync(pem, "-----BEGIN CERTIFICATE-----\nnot base64\n-----END CERTIFICATE-----\n");
      const bad = coffer([
        "--db",
        join(dir, "b.db"),
        "serve",
        "--socket",
        sock,
        "--listen",
        "127.0.0.1:0",
        "--tls-cert",
        pem,
        "--tls-key",
        pem,
      ]);
      expect(bad.code).toBe(2);
      expect(bad.stderr).not.toContain("not base64");
      expect(existsSync(sock)).toBe(false);
    } finally {
      taken.stop(true);
    }
  });

  test("checks the Host header on TCP as on the socket", async () => {
    const s = await serve({ args: ["--listen", "127.0.0.1:0"] });
    try {
      const key = makeKey(s.db, "k", "sessions");
      const get = (host: string) =>
        fetch(`http://127.0.0.1:${s.port}/v1/sessions`, {
          headers: { host, authorization: `Bearer ${key}` },
        });
      expect((await get(`127.0.0.1:${s.port}`)).status).toBe(200);
      expect((await get(`localhost:${s.port}`)).status).toBe(200);
      const foreign = await get(`attacker.example:${s.port}`);
      expect(foreign.status).toBe(421);
      expect(((await foreign.json()) as { error: { code: string } }).error.code).toBe(
        "misdirected_request",
      );
      const origin = await fetch(`http://127.0.0.1:${s.port}/v1/health`, {
        headers: { origin: "http://attacker.example" },
      });
      expect(origin.status).toBe(403);
    } finally {
      expect(await s.stop()).toBe(0);
    }
  });
});

describe("coffer serve with TLS", () => {
  let s: Served;
  const cert = join(dir, "cert.pem");
  const key = join(dir, "key.pem");

  beforeAll(async () => {
    const made = Bun.spawnSync(
      [
        "openssl",
        "req",
        "-x509",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-days",
        "1",
        "-keyout",
        key,
        "-out",
        cert,
        "-subj",
        "/CN=localhost",
        "-addext",
        "subjectAltName=DNS:localhost,IP:127.0.0.1",
      ],
      { stderr: "pipe" },
    );
    if (made.exitCode !== 0) throw new Error(`openssl: ${made.stderr}`);
    s = await serve({ args: ["--listen", "127.0.0.1:0", "--tls-cert", cert, "--tls-key", key] });
  });

  afterAll(async () => {
    await s?.stop();
  });

  test("answers over TLS 1.2 and 1.3 with the given certificate", async () => {
    expect(s.stderr()).toContain("serving on https://127.0.0.1:");
    const res = await fetch(`https://localhost:${s.port}/v1/health`, {
      tls: { ca: await Bun.file(cert).text() },
    });
    expect(res.status).toBe(200);
    for (const version of ["-tls1_2", "-tls1_3"]) {
      const r = sClient(s.port ?? 0, [version]);
      expect(r, version).toMatch(/Protocol\s*: TLSv1\.[23]|New, TLSv1\.3, Cipher/);
    }
  });

  test("refuses TLS 1.1 with the server's own protocol_version alert", () => {
    // SECLEVEL=0 lets this client offer TLS 1.1, so the refusal is the server's.
    const r = sClient(s.port ?? 0, ["-tls1_1", "-cipher", "DEFAULT@SECLEVEL=0"]);
    expect(r).toMatch(/alert protocol version/);
    expect(r).not.toMatch(/Protocol\s*: TLSv1\.1\n[\s\S]*Cipher\s*: (?!0000)/);
  });

  test("does not speak plain HTTP on the TLS port", async () => {
    const plain = await fetch(`http://127.0.0.1:${s.port}/v1/health`).catch((e: Error) => e);
    expect(plain instanceof Error || plain.status >= 400).toBe(true);
  });
});

function sClient(port: number, args: string[]): string {
  const r = Bun.spawnSync(["openssl", "s_client", "-connect", `127.0.0.1:${port}`, ...args], {
    stdin: Buffer.from(""),
    stdout: "pipe",
    stderr: "pipe",
    timeout: 10_000,
  });
  return r.stdout.toString() + r.stderr.toString();
}
