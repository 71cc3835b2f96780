// A library's console output, routed through coffer's logger: stderr only,
// one line per call, errors by their message, known token shapes masked.

import { afterEach, describe, expect, it } from "bun:test";
import { routeConsole, setStreams } from "../../../src/cli/output.ts";

afterEach(() => setStreams({ stdout: process.stdout, stderr: process.stderr }));

function captured(): { out: () => string; err: () => string } {
  let out = "";
  let err = "";
  setStreams({
    stdout: { write: (t: string) => (out += t), isTTY: false },
    stderr: { write: (t: string) => (err += t), isTTY: false },
  });
  return { out: () => out, err: () => err };
}

describe("routeConsole", () => {
  it("should write coffer: lines to stderr, never stdout", () => {
    const { out, err } = captured();
    const fake = {} as Console;
    routeConsole(fake);
    fake.warn("retrying:", new Error("boom"), { k: 1 });
    fake.error("failed");
    fake.log("line\nbreak");
    expect(out()).toBe("");
    expect(err()).toBe(
      'coffer: warning: retrying: boom {"k":1}\ncoffer: warning: failed\ncoffer: line break\n',
    );
  });

  it("should mask a token and print no stack", () => {
    const { err } = captured();
    const fake = {} as Console;
    routeConsole(fake);
    const failure = new Error("auth with sk-abcdefghijklmnopqrstuvwxyz failed");
    fake.error(failure);
    expect(err()).not.toContain("sk-abcdefghijklmnopqrstuvwxyz");
    expect(err()).not.toContain("at ");
    expect(err().trimEnd().split("\n")).toHaveLength(1);
  });
});
