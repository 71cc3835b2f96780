// Where a passphrase comes from, first found wins (SPEC §5): --passphrase-file
// or --passphrase-fd, COFFER_PASSPHRASE_FILE, COFFER_PASSPHRASE, then a prompt.

import { AuthError, CofferError, NotFoundError, UsageError } from "../errors.ts";
import { formatLimit, INPUT_TIMEOUT_MS, LIMITS } from "../input/limits.ts";
import { decodeUtf8, type ReadLimits, readLimited } from "../input/read-limited.ts";
import { fsError, warnIfExposed } from "../store/files.ts";
import type { Env } from "../store/paths.ts";

/** Never passed on to a child process (coffer run). */
export const PASSPHRASE_ENV_VARS = [
  "COFFER_PASSPHRASE",
  "COFFER_PASSPHRASE_FILE",
  "COFFER_NEW_PASSPHRASE",
  "COFFER_NEW_PASSPHRASE_FILE",
] as const;

export interface PassphraseSources {
  file?: string | undefined;
  fd?: number | undefined;
  env: Env;
  /** Told about a passphrase file others can read. */
  onWarning?: ((message: string) => void) | undefined;
  /** A hidden prompt on the terminal; undefined when there is no terminal. */
  prompt?: ((question: string) => Promise<string>) | undefined;
}

const NO_SOURCE_HINT =
  "pass --passphrase-file PATH or --passphrase-fd N, or set COFFER_PASSPHRASE_FILE or COFFER_PASSPHRASE";

/** The passphrase that unlocks (or, with `confirm`, creates) the vault. */
export async function readPassphrase(
  sources: PassphraseSources,
  options: { confirm?: boolean } = {},
): Promise<string> {
  if (sources.file !== undefined && sources.fd !== undefined) {
    throw new UsageError("give --passphrase-file or --passphrase-fd, not both");
  }
  const file = sources.file ?? (sources.fd === undefined ? sources.env.COFFER_PASSPHRASE_FILE : "");
  if (file) warnIfExposed(file, "passphrase file", sources.onWarning);
  if (sources.file !== undefined) return fromFile(sources.file, "--passphrase-file");
  if (sources.fd !== undefined) return fromFd(sources.fd);
  const { env } = sources;
  if (env.COFFER_PASSPHRASE_FILE) {
    return fromFile(env.COFFER_PASSPHRASE_FILE, "COFFER_PASSPHRASE_FILE");
  }
  if (env.COFFER_PASSPHRASE !== undefined)
    return checked(env.COFFER_PASSPHRASE, "COFFER_PASSPHRASE");
  if (!sources.prompt) {
    throw new AuthError("the vault is locked and there is no passphrase source and no terminal", {
      hint: NO_SOURCE_HINT,
    });
  }
  return await ask(sources.prompt, "passphrase", options.confirm ?? false);
}

/** The new passphrase for `secret passwd`: COFFER_NEW_PASSPHRASE(_FILE), else the prompt, twice. */
export async function readNewPassphrase(sources: PassphraseSources): Promise<string> {
  const { env } = sources;
  if (env.COFFER_NEW_PASSPHRASE_FILE) {
    warnIfExposed(env.COFFER_NEW_PASSPHRASE_FILE, "passphrase file", sources.onWarning);
    return fromFile(env.COFFER_NEW_PASSPHRASE_FILE, "COFFER_NEW_PASSPHRASE_FILE");
  }
  if (env.COFFER_NEW_PASSPHRASE !== undefined)
    return checked(env.COFFER_NEW_PASSPHRASE, "COFFER_NEW_PASSPHRASE");
  if (!sources.prompt) {
    throw new AuthError("no new passphrase source and no terminal", {
      hint: "set COFFER_NEW_PASSPHRASE_FILE or COFFER_NEW_PASSPHRASE",
    });
  }
  return await ask(sources.prompt, "new passphrase", true);
}

async function ask(
  prompt: (question: string) => Promise<string>,
  what: string,
  confirm: boolean,
): Promise<string> {
  const first = checked(await prompt(`${what}: `), "the prompt");
  if (confirm && (await prompt(`repeat ${what}: `)) !== first) {
    throw new AuthError("the passphrases do not match");
  }
  return first;
}

function fromFile(path: string, source: string): string {
  let data: Uint8Array;
  try {
    data = readLimited({ path }, limitsFor(source));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") {
      throw new NotFoundError(`passphrase file ${path} (${source}) does not exist`);
    }
    if (err instanceof CofferError) throw err;
    throw fsError("read passphrase file", path, err);
  }
  return checked(dropNewline(decodeUtf8(data, limitsFor(source))), source);
}

/** Read before the store is opened, so a closed N can never name the store's own descriptor. */
function fromFd(fd: number): string {
  const source = `--passphrase-fd ${fd}`;
  const limits = limitsFor(source);
  return checked(dropNewline(decodeUtf8(readLimited({ fd }, limits), limits)), source);
}

function limitsFor(source: string): ReadLimits {
  return {
    limit: LIMITS.passphrase,
    what: `the passphrase from ${source}`,
    timeoutMs: INPUT_TIMEOUT_MS,
    refuse: (message, hint) => new AuthError(message, { hint }),
  };
}

/** Files and pipes end in a newline that is not part of the passphrase; exactly one is dropped. */
export function dropNewline(text: string): string {
  if (text.endsWith("\r\n")) return text.slice(0, -2);
  if (text.endsWith("\n")) return text.slice(0, -1);
  return text;
}

/**
 * The environment and the prompt reach us already decoded, invalid bytes as
 * U+FFFD, so different bytes would open the same vault: U+FFFD is refused.
 */
function checked(passphrase: string, source: string): string {
  if (passphrase.length === 0) throw new AuthError("an empty passphrase is refused");
  if (passphrase.includes("\uFFFD")) {
    throw new AuthError(`the passphrase from ${source} is not valid UTF-8 text`, {
      hint: "U+FFFD is refused too: invalid bytes are read as that character",
    });
  }
  if (Buffer.byteLength(passphrase) > LIMITS.passphrase) {
    throw new AuthError(
      `the passphrase from ${source} is over the ${formatLimit(LIMITS.passphrase)} limit`,
    );
  }
  return passphrase;
}
