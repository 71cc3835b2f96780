// safeFetch over TLS to a local server on 127.0.0.1 with a self-signed
// certificate for a made-up name: the certificate is checked against the name.

import { afterAll, beforeAll, describe, expect, it } from "bun:test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { Server } from "bun";
import { IoError } from "../../../src/errors.ts";
import { safeFetchWith } from "../../../src/net/safe-fetch.ts";
import { tempDir } from "../../helpers/tmp.ts";

const hasOpenssl = Bun.which("openssl") !== null;
if (!hasOpenssl) console.warn("note: openssl is missing, the safeFetch TLS tests are skipped");

let ca = "";
let key = "";
let server: Server<undefined> | undefined;
const lookup = async (name: string) => {
  if (name === "coffer.test" || name === "other.test") return ["127.0.0.1"];
  throw Object.assign(new Error("not found"), { code: "ENOTFOUND" });
};
const allow = { allowedPrivateIps: ["127.0.0.1"] };

function makeCert(dir: string): void {
  const args = ["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes"];
  const subject = [
    "-subj",
    "/CN=coffer.test",
    "-addext",
    "subjectAltName=DNS:coffer.test",
    "-days",
    "2",
  ];
  const files = ["-keyout", join(dir, "key.pem"), "-out", join(dir, "cert.pem")];
  const r = Bun.spawnSync(["openssl", ...args, ...subject, ...files], { stderr: "pipe" });
  if (r.exitCode !== 0) throw new Error(`openssl failed: ${r.stderr.toString()}`);
  ca = readFileSync(join(dir, "cert.pem"), "utf8");
  key = readFileSync(join(dir, "key.pem"), "utf8");
}

beforeAll(() => {
  if (!hasOpenssl) return;
  makeCert(tempDir());
  server = Bun.serve({
    hostname: "127.0.0.1",
    port: 0,
    tls: { cert: ca, key },
    fetch: (req) => new Response(`host=${req.headers.get("host")}`),
  });
});
afterAll(() => server?.stop(true));

describe.skipIf(!hasOpenssl)("safeFetch over TLS", () => {
  const url = (name: string) => `https://${name}:${server?.port}/`;

  it("should verify the certificate against the name while connecting to the checked address", async () => {
    const res = await safeFetchWith({ lookup }, url("coffer.test"), { tls: { ca } }, allow);
    expect(await res.text()).toBe(`host=coffer.test:${server?.port}`);
  });

  it("should refuse a certificate that does not name the host, even after a good one on the same address", async () => {
    await (await safeFetchWith({ lookup }, url("coffer.test"), { tls: { ca } }, allow)).text();
    const err = await safeFetchWith({ lookup }, url("other.test"), { tls: { ca } }, allow).catch(
      (e) => e,
    );
    expect(err).toBeInstanceOf(IoError);
    expect(err.message).toMatch(/ERR_TLS_CERT_ALTNAME_INVALID/);
  });

  it("should refuse an unknown issuer", async () => {
    const err = await safeFetchWith({ lookup }, url("coffer.test"), {}, allow).catch((e) => e);
    expect(err).toBeInstanceOf(IoError);
    expect(err.message).toMatch(/SELF_SIGNED|UNABLE_TO|CERT/);
  });

  it("should refuse a server that offers only TLS 1.1", async () => {
    const dir = tempDir();
    const probe = Bun.listen({ hostname: "127.0.0.1", port: 0, socket: { data() {} } });
    const port = probe.port;
    probe.stop(true);
    const certFiles = ["-cert", join(dir, "c.pem"), "-key", join(dir, "k.pem")];
    await Bun.write(join(dir, "c.pem"), ca);
    await Bun.write(join(dir, "k.pem"), key);
    const old = Bun.spawn(
      [
        "openssl",
        "s_server",
        "-accept",
        `127.0.0.1:${port}`,
        ...certFiles,
        "-tls1_1",
        "-cipher",
        "DEFAULT:@SECLEVEL=0",
        "-www",
      ],
      { stdout: "pipe", stderr: "pipe" },
    );
    try {
      await waitForPort(port);
      const res = safeFetchWith({ lookup }, `https://coffer.test:${port}/`, { tls: { ca } }, allow);
      const err = await res.catch((e) => e);
      expect(err).toBeInstanceOf(IoError);
      expect(err.message).toMatch(/EPROTO|handshake/i);
    } finally {
      old.kill();
    }
  });
});

async function waitForPort(port: number): Promise<void> {
  for (let i = 0; i < 100; i++) {
    const socket = await Bun.connect({ hostname: "127.0.0.1", port, socket: { data() {} } }).catch(
      () => undefined,
    );
    if (socket) {
      socket.end();
      return;
    }
    await Bun.sleep(50);
  }
  throw new Error("openssl s_server did not start");
}
