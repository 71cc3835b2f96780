// The optional TOML config file (SPEC §9), validated with valibot: unknown
// keys and out-of-range values are refused with the key named (exit 2).

import { join } from "node:path";
import * as v from "valibot";
import { CofferError, IoError, NotFoundError, UsageError } from "./errors.ts";
import { INPUT_TIMEOUT_MS, LIMITS } from "./input/limits.ts";
import { decodeUtf8, readLimited } from "./input/read-limited.ts";
import { allowEntryProblem } from "./net/allowlist.ts";
import type { Env } from "./store/paths.ts";
import { DEFAULT_KDF_PARAMS, KDF_BOUNDS } from "./vault/kdf.ts";

const { min, max } = KDF_BOUNDS;

/**
 * The schema, built on first use: building it (valibot) costs start-up that
 * a command without a config file need not pay.
 */
function buildSchema() {
  const integer = (min: number, max: number) =>
    v.pipe(
      v.number("must be a number"),
      v.integer("must be an integer"),
      v.minValue(min, `must be at least ${min}`),
      v.maxValue(max, `must be at most ${max}`),
    );

  // Addresses or CIDR ranges safeFetch may reach though they are not public (SPEC §14).
  const AllowedPrivateIps = v.array(
    v.pipe(
      v.string("must be a string"),
      v.check(
        (entry) => allowEntryProblem(entry) === undefined,
        (issue) => allowEntryProblem(String(issue.input)) ?? "is not valid",
      ),
    ),
    "must be an array of addresses or CIDR ranges",
  );

  const Synchronous = v.pipe(
    v.string("must be a string"),
    v.transform((s) => s.toUpperCase()),
    v.picklist(["OFF", "NORMAL", "FULL", "EXTRA"], "must be one of off, normal, full, extra"),
  );

  return v.strictObject(
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
        v.pipe(
          v.strictObject(
            {
              kdf_memory_kib: v.optional(integer(min.memoryKiB, max.memoryKiB)),
              kdf_iterations: v.optional(integer(min.iterations, max.iterations)),
              kdf_parallelism: v.optional(integer(min.parallelism, max.parallelism)),
            },
            "unknown key",
          ),
          v.check(
            (vault) => kdfCost(vault) <= KDF_BOUNDS.maxCost,
            (issue) =>
              `kdf_memory_kib × kdf_iterations = ${kdfCost(issue.input)} is above the maximum ${KDF_BOUNDS.maxCost} (about 10× the default's cost)`,
          ),
        ),
      ),
      security: v.optional(
        v.strictObject({ allowed_private_ips: v.optional(AllowedPrivateIps) }, "unknown key"),
      ),
      // Plaintext secrets: moved into the vault and removed from the file.
      secrets: v.optional(v.record(v.string(), v.string("must be a string"))),
    },
    "unknown key",
  );
}

let schema: ReturnType<typeof buildSchema> | undefined;

export type Config = v.InferOutput<ReturnType<typeof buildSchema>>;

/** What a derivation with these settings costs, a missing key taking its default. */
function kdfCost(vault: { kdf_memory_kib?: number; kdf_iterations?: number }): number {
  const memory = vault.kdf_memory_kib ?? DEFAULT_KDF_PARAMS.memoryKiB;
  return memory * (vault.kdf_iterations ?? DEFAULT_KDF_PARAMS.iterations);
}

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
  schema ??= buildSchema();
  const result = v.safeParse(schema, data);
  if (result.success) return result.output;
  const issue = result.issues[0];
  const key = (issue.path ?? []).map((item) => String(item.key)).join(".");
  throw new UsageError(`config ${path}: ${key || "(top level)"}: ${issue.message}`);
}
