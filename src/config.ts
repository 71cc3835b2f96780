// The optional TOML config file (SPEC §9): where it is and its text. Parsing
// and validating it (./config-schema.ts, valibot) loads only when there is
// a file to parse: a command without one need not pay for that code.

import { join } from "node:path";
import type { Config } from "./config-schema.ts";
import { CofferError, IoError, NotFoundError } from "./errors.ts";
import { INPUT_TIMEOUT_MS, LIMITS } from "./input/limits.ts";
import { decodeUtf8, readLimited } from "./input/read-limited.ts";
import type { Env } from "./store/paths.ts";

export type { Config };

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
 * The config's text, from `--config`, then COFFER_CONFIG, then the XDG
 * default; undefined when there is none. Only the default may be missing: an
 * explicitly named file must exist.
 */
export function readConfig(
  flag: string | undefined,
  env: Env,
): { path: string; text: string } | undefined {
  const explicit = flag || env.COFFER_CONFIG;
  const path = explicit || defaultConfigPath(env);
  const limits = { limit: LIMITS.configFile, what: `config ${path}`, timeoutMs: INPUT_TIMEOUT_MS };
  try {
    return { path, text: decodeUtf8(readLimited({ path }, limits), limits) };
  } catch (err) {
    if (err instanceof CofferError) throw err;
    const code = (err as NodeJS.ErrnoException).code;
    if (code === "ENOENT" && !explicit) return undefined;
    if (code === "ENOENT") throw new NotFoundError(`config file ${path} does not exist`);
    throw new IoError(`cannot read config file ${path}: ${code ?? String(err)}`, { cause: err });
  }
}
