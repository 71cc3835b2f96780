import { describe, expect, it } from "bun:test";
import { extractGlobals, parseDuration, parseIntFlag } from "../../../src/cli/argv.ts";
import { UsageError } from "../../../src/errors.ts";

describe("extractGlobals", () => {
  it("should take global flags from anywhere before --", () => {
    const { globals, rest } = extractGlobals([
      "queue",
      "--db",
      "/x.db",
      "pop",
      "q",
      "--json",
      "--config=/c.toml",
    ]);
    expect(globals).toEqual({
      db: "/x.db",
      config: "/c.toml",
      json: true,
      verbose: false,
      version: false,
    });
    expect(rest).toEqual(["queue", "pop", "q"]);
  });

  it("should leave everything after -- alone", () => {
    const { globals, rest } = extractGlobals(["run", "--", "env", "--json", "--db", "x"]);
    expect(globals.json).toBe(false);
    expect(globals.db).toBeUndefined();
    expect(rest).toEqual(["run", "--", "env", "--json", "--db", "x"]);
  });

  it("should refuse a value flag without a value", () => {
    expect(() => extractGlobals(["status", "--db"])).toThrow(UsageError);
    expect(() => extractGlobals(["--db", "--json", "status"])).toThrow(UsageError);
    expect(() => extractGlobals(["--db=", "status"])).toThrow(UsageError);
  });
});

describe("parseIntFlag", () => {
  it("should accept plain integers in range and refuse the rest", () => {
    expect(parseIntFlag("42", "--n")).toBe(42);
    expect(parseIntFlag(undefined, "--n")).toBeUndefined();
    for (const bad of ["", "4x", "1e3", "0x10", "1.5", " 1"])
      expect(() => parseIntFlag(bad, "--n")).toThrow(UsageError);
    expect(() => parseIntFlag("0", "--n", 1)).toThrow(/from 1/);
    expect(parseIntFlag("-3", "--n", -5)).toBe(-3);
  });
});

describe("parseDuration", () => {
  it("should read units", () => {
    expect(parseDuration("500", "--d")).toBe(500);
    expect(parseDuration("30s", "--d")).toBe(30_000);
    expect(parseDuration("15m", "--d")).toBe(900_000);
    expect(parseDuration("12h", "--d")).toBe(43_200_000);
    expect(parseDuration("7d", "--d")).toBe(604_800_000);
    expect(parseDuration("2w", "--d")).toBe(1_209_600_000);
    for (const bad of ["", "7 days", "-1d", "1.5h", "d"])
      expect(() => parseDuration(bad, "--d")).toThrow(UsageError);
  });
});
