// Masking values in a child's output stream, across chunk boundaries.

import { describe, expect, it } from "bun:test";
import { StreamMasker } from "../../src/redact-stream.ts";

const enc = (s: string) => new TextEncoder().encode(s);
const dec = (b: Uint8Array) => new TextDecoder().decode(b);

function run(values: string[], chunks: string[]): { out: string; pieces: string[] } {
  const m = new StreamMasker(values.map(enc), "[M]");
  const pieces = chunks.map((c) => dec(m.push(enc(c))));
  pieces.push(dec(m.end()));
  return { out: pieces.join(""), pieces };
}

describe("StreamMasker", () => {
  it("should mask values inside one chunk", () => {
    expect(run(["secret"], ["a secret here, secret"]).out).toBe("a [M] here, [M]");
  });

  it("should mask a value split across chunks at every position", () => {
    const text = "before topsecretvalue after";
    for (let i = 1; i < text.length; i++) {
      for (let j = i; j < text.length; j++) {
        const chunks = [text.slice(0, i), text.slice(i, j), text.slice(j)];
        expect(run(["topsecretvalue"], chunks).out).toBe("before [M] after");
      }
    }
  });

  it("should hold back only a possible start of a value", () => {
    const { pieces } = run(["secret"], ["hello sec", "ond"]);
    expect(pieces[0]).toBe("hello ");
    expect(pieces[1]).toBe("second");
  });

  it("should mask the longer of overlapping values whole", () => {
    expect(run(["abcd", "abcdef"], ["x-abcdef-x"]).out).toBe("x-[M]-x");
  });

  it("should flush a held tail at the end", () => {
    expect(run(["secret"], ["ends with sec"]).out).toBe("ends with sec");
  });
});

describe("StreamMasker, short and word-like values", () => {
  it("should never mask a value under 4 characters", () => {
    const path = "/root/.pyenv/shims:/usr/bin\n";
    expect(run(["h", "/"], [path]).out).toBe(path);
  });

  it("should mask a short word-like value only as a whole word, at every split", () => {
    const text = "after_free after xafter after";
    const want = "after_free [M] xafter [M]";
    for (let i = 1; i < text.length; i++) {
      expect(run(["after"], [text.slice(0, i), text.slice(i)]).out).toBe(want);
    }
  });

  it("should hold a whole-word match at the end of a chunk until its right edge is known", () => {
    const { pieces } = run(["after"], ["see after", "_free", " after"]);
    expect(pieces.join("")).toBe("see after_free [M]");
    expect(pieces[0]).toBe("see ");
  });
});
