// The names `coffer run` will not let a secret set without --allow-env.

import { describe, expect, it } from "bun:test";
import { isProtectedEnvName, protectedNamesWarning } from "../../src/protected-env.ts";

describe("protected environment names", () => {
  it("should cover the loader, shell and interpreter hooks, and coffer's own names", () => {
    for (const name of [
      "PATH",
      "LD_PRELOAD",
      "LD_LIBRARY_PATH",
      "DYLD_INSERT_LIBRARIES",
      "BASH_ENV",
      "ENV",
      "NODE_OPTIONS",
      "PYTHONPATH",
      "PERL5OPT",
      "COFFER_DB",
      "COFFER_PASSPHRASE",
    ]) {
      expect(isProtectedEnvName(name)).toBe(true);
    }
    for (const name of ["API_KEY", "OPENAI_API_KEY", "PATHS", "HOME", "DATABASE_URL"]) {
      expect(isProtectedEnvName(name)).toBe(false);
    }
  });

  it("should name the protected ones once, and say nothing for the others", () => {
    expect(protectedNamesWarning(["A", "B"])).toBeUndefined();
    const w = protectedNamesWarning(["A", "PATH", "LD_PRELOAD", "PATH"]) ?? "";
    expect(w).toStartWith("PATH, LD_PRELOAD: protected names");
    expect(w).toContain("--allow-env PATH,LD_PRELOAD");
  });
});
