// Test-only: cheap KDF bounds and parameters. Nothing in the CLI imports this
// file, and the vault accepts these bounds only as this very object.

import { InternalError } from "../errors.ts";
import type { KdfParams } from "./format.ts";
import { type KdfBounds, MAX_KDF_COST } from "./kdf.ts";

/** Pass as `kdfBounds` to createVault/unlockVault in tests to allow tiny parameters. */
export const TEST_ONLY_KDF_BOUNDS: Readonly<KdfBounds> = Object.freeze({
  min: { memoryKiB: 8, iterations: 1, parallelism: 1 },
  max: { memoryKiB: 1_048_576, iterations: 10, parallelism: 16 },
  maxCost: MAX_KDF_COST,
});

/** About a millisecond per derivation: for unit tests of everything but the KDF's cost. */
export const TEST_ONLY_KDF_PARAMS: Readonly<KdfParams> = Object.freeze({
  memoryKiB: 64,
  iterations: 1,
  parallelism: 1,
});

/**
 * The bounds a library call may use: the SPEC's, or exactly the test-only
 * object above. Any other object is a bug, not a setting.
 */
export function boundsFor(option: KdfBounds | undefined, spec: KdfBounds): KdfBounds {
  if (option === undefined || option === spec) return spec;
  if (option === TEST_ONLY_KDF_BOUNDS) return option;
  throw new InternalError("kdfBounds must be TEST_ONLY_KDF_BOUNDS (tests only)");
}
