// The binary's stand-in for node:util's parseArgs (src/cli/parse-args.ts)
// must answer as node:util's does, for every argv citty can hand it.

import { describe, expect, it } from "bun:test";
import { parseArgs as nodeParseArgs } from "node:util";
import { type OptionConfig, parseArgs } from "../../../src/cli/parse-args.ts";

const TOKENS = [
  "-a",
  "-b",
  "-f",
  "-ab",
  "-ba",
  "-af",
  "-fa",
  "-abf",
  "-fVAL",
  "-x",
  "-5",
  "-",
  "--",
  "--foo",
  "--foo=bar",
  "--foo=",
  "--bar",
  "--bar=no",
  "--no-bar",
  "--=x",
  "---",
  "--f",
  "--multi",
  "--multi=1",
  "--__proto__",
  "--__proto__=x",
  "pos",
  "-f=x",
  "--foo-bar",
  "",
];

const CONFIGS: Record<string, OptionConfig>[] = [
  {},
  { foo: { type: "string" }, bar: { type: "boolean" } },
  {
    foo: { type: "string", short: "f", default: undefined },
    bar: { type: "boolean", short: "b", default: false },
    all: { type: "boolean", short: "a" },
  },
  { file: { type: "string", short: "f", default: "x.txt" }, a: { type: "boolean" } },
  { multi: { type: "string", multiple: true }, b: { type: "boolean", multiple: true } },
  { foo: { type: "string", default: 5 as unknown as string } },
  { foo: { type: "string", short: "ff" } },
  { foo: { type: "number" as "string" } },
];

type NodeOptions = NonNullable<Parameters<typeof nodeParseArgs>[0]>["options"];

function both(args: string[], options: Record<string, OptionConfig>) {
  const run = (f: () => unknown) => {
    try {
      return JSON.stringify(f());
    } catch {
      return "throws";
    }
  };
  return {
    ours: run(() => parseArgs({ args, options, allowPositionals: true, strict: false })),
    node: run(() =>
      nodeParseArgs({
        args,
        options: options as NodeOptions,
        allowPositionals: true,
        strict: false,
      }),
    ),
  };
}

describe("parseArgs (node:util's, without node:util)", () => {
  it("should parse every short argv of the tokens as node:util does, under each config", () => {
    let seed = 7;
    const random = () => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed / 2 ** 31;
    };
    let compared = 0;
    for (const options of CONFIGS) {
      for (const token of TOKENS) {
        const { ours, node } = both([token], options);
        expect(`${token}: ${ours}`).toBe(`${token}: ${node}`);
      }
      for (let n = 0; n < 1500; n++) {
        const args = Array.from(
          { length: 1 + Math.floor(random() * 5) },
          () => TOKENS[Math.floor(random() * TOKENS.length)] as string,
        );
        const { ours, node } = both(args, options);
        expect(`${JSON.stringify(args)}: ${ours}`).toBe(`${JSON.stringify(args)}: ${node}`);
        compared++;
      }
    }
    expect(compared).toBe(1500 * CONFIGS.length);
  });
});
