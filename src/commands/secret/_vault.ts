// What every vault command shares: the passphrase and scope flags, and the
// unlock sequence (store, passphrase, derivation, plaintext-config move).

import { parseIntFlag } from "../../cli/argv.ts";
import { context, loadedConfig, openCliClient, storePath } from "../../cli/context.ts";
import { redactor, say } from "../../cli/output.ts";
import { hasTerminal, promptHidden } from "../../cli/prompt.ts";
import type { Client } from "../../client.ts";
import { isPostgresUrl } from "../../engines/postgres/is-url.ts";
import { CofferError, type ErrorOptions, NotFoundError, UsageError } from "../../errors.ts";
import { protectedNamesWarning } from "../../protected-env.ts";
import { recorded } from "../../state/audit/record.ts";
import type { AuditEntry } from "../../state/audit/rules.ts";
import { fromSqliteError } from "../../store/sqlite-errors.ts";
import { forbidCoreDumps } from "../../vault/core-dumps.ts";
import { DEFAULT_SCOPE, type KdfParams } from "../../vault/format.ts";
import { DEFAULT_KDF_PARAMS } from "../../vault/kdf.ts";
import { checkNewSecrets, checkScope, type NewSecret } from "../../vault/names.ts";
import { type PassphraseSources, readPassphrase } from "../../vault/passphrase.ts";
import { movePlaintextSecrets } from "../../vault/plaintext.ts";
import type { Vault } from "../../vault/vault.ts";

export const passphraseArgs = {
  "passphrase-file": {
    type: "string",
    description: "Read the passphrase from this file (one trailing newline dropped)",
  },
  "passphrase-fd": {
    type: "string",
    description: "Read the passphrase from this open file descriptor",
  },
} as const;

export const scopeArg = {
  scope: { type: "string", description: `Secret scope (default ${DEFAULT_SCOPE})` },
} as const;

interface PassphraseFlags {
  "passphrase-file"?: string | undefined;
  "passphrase-fd"?: string | undefined;
}

export function scopeOf(args: { scope?: string | undefined }): string {
  return checkScope(args.scope ?? DEFAULT_SCOPE);
}

export function passphraseSources(args: PassphraseFlags, stdinTaken = false): PassphraseSources {
  const fd = parseIntFlag(args["passphrase-fd"], "--passphrase-fd", 0, 65_535);
  if (fd === 0 && stdinTaken) {
    throw new UsageError("stdin carries the input of this command, not the passphrase", {
      hint: "use --passphrase-file, another --passphrase-fd, or COFFER_PASSPHRASE_FILE",
    });
  }
  return {
    file: args["passphrase-file"],
    fd,
    env: context().env,
    onWarning: say.warn,
    prompt: hasTerminal() ? promptHidden : undefined,
  };
}

export function configuredKdfParams(): KdfParams {
  const vault = loadedConfig().config.vault;
  return {
    memoryKiB: vault?.kdf_memory_kib ?? DEFAULT_KDF_PARAMS.memoryKiB,
    iterations: vault?.kdf_iterations ?? DEFAULT_KDF_PARAMS.iterations,
    parallelism: vault?.kdf_parallelism ?? DEFAULT_KDF_PARAMS.parallelism,
  };
}

const options = { onReveal: (value: Uint8Array) => redactor.addBytes(value) };

/**
 * A vault about to be opened: the store is open and the passphrase known,
 * but nothing derived yet, so a command can read its input in between.
 */
export class PendingVault implements AsyncDisposable {
  private vault: Vault | undefined;

  constructor(
    readonly client: Client,
    readonly creating: boolean,
    private readonly passphrase: string,
  ) {}

  async open(): Promise<Vault> {
    const vault = this.creating
      ? await this.client.vault.create(this.passphrase, configuredKdfParams(), options)
      : await this.client.vault.unlock(this.passphrase, options);
    this.vault = vault;
    if (this.creating) say.info("created a new vault");
    await moveConfigSecrets(vault);
    return vault;
  }

  /** Stores new versions; everything is checked before a vault is created or unlocked. */
  async setMany(items: readonly NewSecret[]): Promise<number[]> {
    const wanted = checkNewSecrets(items);
    return await (await this.open()).setMany(wanted);
  }

  /**
   * Runs `fn` and records it in the audit trail, as it ended (never a value).
   * A store that cannot take the row (read-only) is warned about: reads still work there.
   */
  audited<T>(
    what: { action: string; scope?: string | undefined; name?: string },
    fn: () => Promise<T>,
    versionOf?: (result: T) => number | undefined,
  ): Promise<T> {
    return recorded({ actor: "cli", ...what }, fn, {
      append: (entry) => this.record(entry),
      versionOf,
    });
  }

  private async record(entry: AuditEntry): Promise<void> {
    try {
      await this.client.audit.append(entry);
    } catch (err) {
      const why = err instanceof CofferError ? err.message : "an unexpected error";
      say.warn(`the audit trail could not record this ${entry.action}: ${why}`);
    }
  }

  async [Symbol.asyncDispose](): Promise<void> {
    this.vault?.lock();
    await this.client.close();
  }
}

/** Opens the store and finds the passphrase; with `create`, a missing vault will be made. */
export async function prepareVault(
  args: PassphraseFlags,
  opts: { create?: boolean; stdinTaken?: boolean } = {},
): Promise<PendingVault> {
  guardCoreDumps();
  const sources = passphraseSources(args, opts.stdinTaken);
  // A descriptor is read before the store opens: a closed N must not name the store's own fd.
  const early = sources.fd !== undefined ? await readPassphrase(sources) : undefined;
  loadedConfig(); // its own errors (a missing --config file) must not read as "no vault"
  let client: Client;
  try {
    client = await openCliClient({ create: opts.create ?? false });
  } catch (err) {
    if (err instanceof NotFoundError && !isPostgresUrl(storePath())) throw noVault();
    throw err;
  }
  try {
    const creating = !(await client.vault.exists());
    if (creating && !opts.create) throw noVault();
    const passphrase = early ?? (await readPassphrase(sources, { confirm: creating }));
    return new PendingVault(client, creating, passphrase);
  } catch (err) {
    await client.close();
    throw err;
  }
}

/**
 * prepareVault then open, for commands with no input to read in between;
 * with `audit`, the unlock is recorded as that action (it reads right after).
 */
export async function openVault(
  args: PassphraseFlags,
  audit?: { action: string; scope?: string | undefined },
): Promise<{ vault: Vault; pending: PendingVault }> {
  const pending = await prepareVault(args);
  try {
    const vault = audit ? await pending.audited(audit, () => pending.open()) : await pending.open();
    return { vault, pending };
  } catch (err) {
    await pending[Symbol.asyncDispose]();
    throw err;
  }
}

/** Before the passphrase is read: from here on this process holds secrets (SPEC §5). */
function guardCoreDumps(): void {
  if (forbidCoreDumps() === "failed") {
    say.warn(
      "could not turn off core dumps (setrlimit/prctl failed): a crash could write secrets to disk",
    );
  }
}

/**
 * Runs a step that follows a committed change: its failure keeps its exit
 * class but says first that the change is in force (`inForce`), so nobody
 * retries with the old passphrase or thinks the old key still opens the vault.
 */
export async function afterCommit<T>(
  inForce: string,
  step: string,
  fn: () => Promise<T>,
): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    const cause = err instanceof CofferError ? err : fromSqliteError(err, step);
    const Same = cause.constructor as new (message: string, options: ErrorOptions) => CofferError;
    throw new Same(`${inForce}, but ${step} failed: ${cause.message}`, {
      cause: err,
      hint: "the old copies leave the file at the next successful checkpoint (any coffer command that closes the store cleanly)",
    });
  }
}

/** set and import: a secret named PATH, LD_PRELOAD … is stored, but run will skip it. */
export function warnProtected(names: readonly string[]): void {
  const warning = protectedNamesWarning(names);
  if (warning) say.warn(warning);
}

function noVault(): NotFoundError {
  return new NotFoundError("no vault yet", {
    hint: "coffer secret set NAME creates it (the value comes from stdin or a prompt)",
  });
}

async function moveConfigSecrets(vault: Vault): Promise<void> {
  const { path, config } = loadedConfig();
  if (!path || !config.secrets || Object.keys(config.secrets).length === 0) return;
  const { moved, removed } = await movePlaintextSecrets(vault, config.secrets, path);
  if (removed) {
    say.warn(
      `moved ${moved} plaintext secret(s) from ${path} into the vault and removed the [secrets] table`,
    );
  } else {
    say.warn(`the [secrets] table in ${path} is in the vault now; remove it from the file by hand`);
  }
}
