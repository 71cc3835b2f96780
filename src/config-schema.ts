// The config file's schema (SPEC §9), validated with valibot: unknown keys
// and out-of-range values are refused with the key named (exit 2).

import * as v from "valibot";
import { type LoadedConfig, readConfig } from "./config.ts";
import { UsageError } from "./errors.ts";
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

/** Reads and parses the config (see readConfig for where it is looked for). */
export function loadConfig(flag: string | undefined, env: Env): LoadedConfig {
  const file = readConfig(flag, env);
  return file
    ? { path: file.path, config: parseConfig(file.text, file.path) }
    : { path: undefined, config: {} };
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
