import { describe, expect, it } from "bun:test";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { defaultConfigPath } from "../../src/config.ts";
import { loadConfig, parseConfig } from "../../src/config-schema.ts";
import { NotFoundError, UsageError } from "../../src/errors.ts";
import { defaultDatabasePath, resolveDatabasePath } from "../../src/store/paths.ts";
import { tempDir } from "../helpers/tmp.ts";

describe("config", () => {
  it("should accept every documented key", () => {
    const config = parseConfig(
      `[storage]
database_path = "/data/c.db"
synchronous = "full"
busy_timeout_ms = 2000
[vault]
kdf_memory_kib = 65536
kdf_iterations = 3
kdf_parallelism = 4
[secrets]
openai = "sk-test"`,
      "c.toml",
    );
    expect(config).toEqual({
      storage: { database_path: "/data/c.db", synchronous: "FULL", busy_timeout_ms: 2000 },
      vault: { kdf_memory_kib: 65536, kdf_iterations: 3, kdf_parallelism: 4 },
      secrets: { openai: "sk-test" },
    });
  });

  it("should refuse unknown keys and bad values, naming the key", () => {
    const cases: [string, RegExp][] = [
      ["colour = 1", /: colour: unknown key/],
      ["[storage]\npath = 'x'", /storage\.path: unknown key/],
      ["[storage]\nsynchronous = 'fast'", /storage\.synchronous: must be one of/],
      ["[storage]\nbusy_timeout_ms = -1", /storage\.busy_timeout_ms: must be at least 0/],
      ["[vault]\nkdf_iterations = 1", /vault\.kdf_iterations: must be at least 2/],
      ["[vault]\nkdf_memory_kib = 99999999", /vault\.kdf_memory_kib: must be at most/],
      ["[vault]\nkdf_parallelism = 2.5", /vault\.kdf_parallelism: must be an integer/],
      [
        "[vault]\nkdf_memory_kib = 1048576\nkdf_iterations = 10",
        /vault: kdf_memory_kib × kdf_iterations = 10485760 is above the maximum 2097152/,
      ],
      ["[vault]\nkdf_memory_kib = 1048576", /vault: kdf_memory_kib × kdf_iterations = 3145728/],
    ];
    for (const [text, message] of cases) {
      expect(() => parseConfig(text, "c.toml")).toThrow(UsageError);
      expect(() => parseConfig(text, "c.toml")).toThrow(message);
    }
  });

  it("should not quote the file's content when the TOML is broken", () => {
    const attempt = () => parseConfig('[secrets]\nkey = "sk-abcdefghijklmnopqrstuvwxyz', "c.toml");
    expect(attempt).toThrow(/not valid TOML/);
    try {
      attempt();
    } catch (err) {
      expect(String((err as Error).message)).not.toContain("sk-abc");
    }
  });

  it("should find the config through --config, COFFER_CONFIG, then XDG", () => {
    const dir = tempDir();
    const xdg = join(dir, "xdg");
    mkdirSync(join(xdg, "coffer"), { recursive: true });
    writeFileSync(join(xdg, "coffer", "config.toml"), "[storage]\nbusy_timeout_ms = 1");
    writeFileSync(join(dir, "env.toml"), "[storage]\nbusy_timeout_ms = 2");
    writeFileSync(join(dir, "flag.toml"), "[storage]\nbusy_timeout_ms = 3");
    const env = { XDG_CONFIG_HOME: xdg, COFFER_CONFIG: join(dir, "env.toml") };
    expect(loadConfig(join(dir, "flag.toml"), env).config.storage?.busy_timeout_ms).toBe(3);
    expect(loadConfig(undefined, env).config.storage?.busy_timeout_ms).toBe(2);
    expect(loadConfig(undefined, { XDG_CONFIG_HOME: xdg }).config.storage?.busy_timeout_ms).toBe(1);
    expect(defaultConfigPath({ HOME: "/home/u" })).toBe("/home/u/.config/coffer/config.toml");
  });

  it("should treat a missing default config as empty, and a missing named one as not found", () => {
    const dir = tempDir();
    expect(loadConfig(undefined, { XDG_CONFIG_HOME: dir })).toEqual({
      path: undefined,
      config: {},
    });
    expect(() => loadConfig(join(dir, "nope.toml"), {})).toThrow(NotFoundError);
  });
});

describe("database path", () => {
  it("should prefer --db, then COFFER_DB, then config, then XDG", () => {
    const env = { HOME: "/home/u", XDG_DATA_HOME: "/xdg", COFFER_DB: "/env.db" };
    expect(resolveDatabasePath({ flag: "/flag.db", configured: "/cfg.db", env })).toBe("/flag.db");
    expect(resolveDatabasePath({ configured: "/cfg.db", env })).toBe("/env.db");
    expect(resolveDatabasePath({ configured: "/cfg.db", env: { HOME: "/home/u" } })).toBe(
      "/cfg.db",
    );
    expect(resolveDatabasePath({ env: { HOME: "/home/u", XDG_DATA_HOME: "/xdg" } })).toBe(
      "/xdg/coffer/coffer.db",
    );
    expect(defaultDatabasePath({ HOME: "/home/u" })).toBe("/home/u/.local/share/coffer/coffer.db");
  });
});
