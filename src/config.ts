// The optional TOML config file (SPEC §9), validated with valibot: unknown
// keys and out-of-range values are refused with the key named (exit 2).

import { join } from "node:path";
import * as v from "valibot";
import { CofferError, IoError, NotFoundError, UsageError } from "./errors.ts";
import { INPUT_TIMEOUT_MS, LIMITS } from "./input/limits.ts";
import { decodeUtf8, readLimited } from "./input/read-limited.ts";
import type { Env } from "./store/paths.ts";

const integer = (min: number, max: number) =>
  v.pipe(
    v.number("must be a number"),
    v.integer("must be an integer"),
    v.minValue(min, `must be at least ${min}`),
    v.maxValue(max, `must be at most ${max}`),
  );

const Synchronous = v.pipe(
  v.string("must be a string"),
  v.transform((s) => s.toUpperCase()),
  v.picklist(["OFF", "NORMAL", "FULL", "EXTRA"], "must be one of off, normal, full, extra"),
);

export const ConfigSchema = v.strictObject(
  {
    storage: v.optional(
      v.strictObject(
        {
          database_path: v.optional(
            v.pipe(v.string("must be a string"), v.minLength(1, "must not be empty")),
          ),
          synchronous: v.optional(Synchronous),
          busy_timeout_ms: v.optional(integer(0, 600_000)),
        },
        "unknown key",
      ),
    ),
    vault: v.optional(
      v.strictObject(
        {
          kdf_memory_kib: v.optional(integer(19_456, 1_048_576)),
          kdf_iterations: v.optional(integer(2, 10)),
          kdf_parallelism: v.optional(integer(1, 16)),
        },
        "unknown key",
      ),
    ),
    // Plaintext secrets: moved into the vault and removed from the file.
    secrets: v.optional(v.record(v.string(), v.string("must be a string"))),
  },
  "unknown key",
);

export type Config = v.InferOutput<typeof ConfigSchema>;

export interface LoadedConfig {
  /** The file read, or undefined when there is none. */
  path: string | undefined;
  config: Config;
}

export function defaultConfigPath(env: Env): string {
  const configHome = env.XDG_CONFIG_HOME || join(env.HOME || "/", ".config");
  return join(configHome, "coffer", "config.toml");
}

/**
 * Reads the config from `--config`, then COFFER_CONFIG, then the XDG default.
 * Only the default may be missing; an explicitly named file must exist.
 */
export function loadConfig(flag: string | undefined, env: Env): LoadedConfig {
  const explicit = flag || env.COFFER_CONFIG;
  const path = explicit || defaultConfigPath(env);
  const limits = { limit: LIMITS.configFile, what: `config ${path}`, timeoutMs: INPUT_TIMEOUT_MS };
  let text: string;
  try {
    text = decodeUtf8(readLimited({ path }, limits), limits);
  } catch (err) {
    if (err instanceof CofferError) throw err;
    const code = (err as NodeJS.ErrnoException).code;
    if (code === "ENOENT" && !explicit) return { path: undefined, config: {} };
    if (code === "ENOENT") throw new NotFoundError(`config file ${path} does not exist`);
    throw new IoError(`cannot read config file ${path}: ${code ?? String(err)}`, { cause: err });
  }
  return { path, config: parseConfig(text, path) };
}

export function parseConfig(text: string, path: string): Config {
  let data: unknown;
  try {
    data = Bun.TOML.parse(text);
  } catch (err) {
    // The parser's message can quote the offending line, which may hold a secret.
    throw new UsageError(`config ${path}: not valid TOML`, { cause: err });
  }
  const result = v.safeParse(ConfigSchema, data);
  if (result.success) return result.output;
  const issue = result.issues[0];
  const key = (issue.path ?? []).map((item) => String(item.key)).join(".");
  throw new UsageError(`config ${path}: ${key || "(top level)"}: ${issue.message}`);
}
