// Argon2id (hash-wasm) from passphrase to key-encryption key, with bounds
// checked before any work: too cheap is a downgrade, too dear a denial of service.

import { IntegrityError } from "../errors.ts";
import { type KdfParams, KEY_BYTES } from "./format.ts";

export const DEFAULT_KDF_PARAMS: Readonly<KdfParams> = {
  memoryKiB: 65_536,
  iterations: 3,
  parallelism: 4,
};

export interface KdfBounds {
  min: Readonly<KdfParams>;
  max: Readonly<KdfParams>;
  /**
   * The most memory × iterations (KiB·passes) one derivation may cost. hash-wasm
   * runs single-threaded, so the work grows with m×t whatever p says.
   */
  maxCost: number;
}

/**
 * About 10× the default's cost (65536 KiB × 3 = 196,608): 1 GiB with t=2, or
 * 256 MiB with t=8, and no more; m=1 GiB with t=10 took 31 s here.
 */
export const MAX_KDF_COST = 2_097_152;

/** SPEC §5: the only bounds the CLI ever uses. */
export const KDF_BOUNDS: Readonly<KdfBounds> = {
  min: { memoryKiB: 19_456, iterations: 2, parallelism: 1 },
  max: { memoryKiB: 1_048_576, iterations: 10, parallelism: 16 },
  maxCost: MAX_KDF_COST,
};

const NAMES: Record<keyof KdfParams, string> = {
  memoryKiB: "memory (KiB)",
  iterations: "iterations",
  parallelism: "parallelism",
};

/** Throws IntegrityError (exit 5) unless every parameter is an integer within `bounds`. */
export function checkKdfParams(params: KdfParams, bounds: KdfBounds = KDF_BOUNDS): void {
  for (const key of Object.keys(NAMES) as (keyof KdfParams)[]) {
    const value = params[key];
    if (!Number.isSafeInteger(value)) {
      throw new IntegrityError(`vault KDF ${NAMES[key]} is not an integer`);
    }
    if (value < bounds.min[key]) {
      throw new IntegrityError(
        `vault KDF ${NAMES[key]} ${value} is below the minimum ${bounds.min[key]}; refusing a downgraded vault`,
      );
    }
    if (value > bounds.max[key]) {
      throw new IntegrityError(
        `vault KDF ${NAMES[key]} ${value} is above the maximum ${bounds.max[key]}; refusing to derive`,
      );
    }
  }
  // Argon2 needs at least 8 KiB of memory per lane.
  if (params.memoryKiB < 8 * params.parallelism) {
    throw new IntegrityError("vault KDF memory is too small for its parallelism");
  }
  const cost = params.memoryKiB * params.iterations;
  if (cost > bounds.maxCost) {
    throw new IntegrityError(
      `vault KDF cost m×t = ${params.memoryKiB} KiB × ${params.iterations} is above the maximum ${bounds.maxCost}; refusing to derive`,
    );
  }
}

/** The passphrase as Argon2 sees it: NFC-normalised UTF-8, so every keyboard opens the same vault. */
export function passphraseBytes(passphrase: string): Uint8Array {
  return new TextEncoder().encode(passphrase.normalize("NFC"));
}

/**
 * Derives the 32-byte key-encryption key. The one bounds gate of every
 * derivation (create, unlock, passwd, verify): nothing is derived before it.
 */
export async function deriveKey(
  passphrase: string,
  salt: Uint8Array,
  params: KdfParams,
  bounds: KdfBounds = KDF_BOUNDS,
): Promise<Uint8Array> {
  checkKdfParams(params, bounds);
  // Imported here so that commands that never derive load neither the WASM nor libc.
  const { forbidCoreDumps } = await import("./core-dumps.ts");
  forbidCoreDumps(); // before the first key exists: no core file may ever hold one
  const { argon2id } = await import("hash-wasm");
  return await argon2id({
    password: passphraseBytes(passphrase),
    salt,
    parallelism: params.parallelism,
    iterations: params.iterations,
    memorySize: params.memoryKiB,
    hashLength: KEY_BYTES,
    outputType: "binary",
  });
}
