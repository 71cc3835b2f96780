// --listen parsing, the loopback-or-TLS rule, the default socket path, and
// the Host header's name as the guard compares it.

import { describe, expect, it } from "bun:test";
import { hostName } from "../../../src/serve/guard.ts";
import {
  checkListen,
  defaultSocketPath,
  hostHeaderName,
  parseListen,
} from "../../../src/serve/listen.ts";

describe("--listen", () => {
  it("reads PORT, :PORT, HOST:PORT and [IPv6]:PORT, 127.0.0.1 by default", () => {
    expect(parseListen("7070")).toEqual({ host: "127.0.0.1", port: 7070 });
    expect(parseListen(":7070")).toEqual({ host: "127.0.0.1", port: 7070 });
    expect(parseListen("localhost:1")).toEqual({ host: "localhost", port: 1 });
    expect(parseListen("[::1]:8443")).toEqual({ host: "::1", port: 8443 });
    for (const bad of ["", "host", "1.2.3.4:", "1.2.3.4:99999", "::1:80", "a b:80"]) {
      expect(() => parseListen(bad), bad).toThrow(expect.objectContaining({ code: 2 }));
    }
  });

  it("refuses an address that is not loopback unless TLS is given", () => {
    for (const host of ["127.0.0.1", "127.9.9.9", "::1", "localhost"]) {
      expect(() => checkListen({ host, port: 0 }, false), host).not.toThrow();
    }
    for (const host of [
      "0.0.0.0",
      "::",
      "10.0.0.1",
      "192.168.1.2",
      "example.com",
      "::ffff:127.0.0.1x",
    ]) {
      expect(() => checkListen({ host, port: 0 }, false), host).toThrow(
        expect.objectContaining({ code: 2 }),
      );
      expect(() => checkListen({ host, port: 0 }, true), host).not.toThrow();
    }
  });

  it("puts the socket under XDG_RUNTIME_DIR, else beside the store, else under the data home", () => {
    expect(defaultSocketPath({ XDG_RUNTIME_DIR: "/run/u" }, "/d/c.db", false)).toEqual({
      path: "/run/u/coffer/serve.sock",
      own: true,
    });
    expect(defaultSocketPath({}, "/d/c.db", false)).toEqual({ path: "/d/serve.sock", own: false });
    expect(defaultSocketPath({ HOME: "/h" }, "postgres://x/y", true)).toEqual({
      path: "/h/.local/share/coffer/serve.sock",
      own: true,
    });
  });
});

describe("Host names", () => {
  it("drop the port and compare in lower case", () => {
    expect(hostName("LocalHost:8080")).toBe("localhost");
    expect(hostName("[::1]:80")).toBe("[::1]");
    expect(hostName("127.0.0.1")).toBe("127.0.0.1");
    expect(hostHeaderName("::1")).toBe("[::1]");
  });
});
