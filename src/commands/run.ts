// coffer run [--only A,B] [--allow-env N,M] [--scope S] -- CMD ARGS…: CMD gets
// the secrets as environment variables (never the passphrase ones, nor a
// protected name such as PATH unless allowed), its output masked, and its exit
// code becomes coffer's.

import { defineCommand } from "citty";
import { context } from "../cli/context.ts";
import { ExitStatus } from "../cli/exit-status.ts";
import { say } from "../cli/output.ts";
import { NotFoundError, UsageError } from "../errors.ts";
import { isProtectedEnvName } from "../protected-env.ts";
import { MASK } from "../redact.ts";
import { type RunningChild, SpawnError, startChild } from "../run-child.ts";
import { checkName } from "../vault/names.ts";
import { PASSPHRASE_ENV_VARS } from "../vault/passphrase.ts";
import type { Secret } from "../vault/vault.ts";
import { openVault, passphraseArgs, scopeArg, scopeOf } from "./secret/_vault.ts";

export default defineCommand({
  meta: { name: "run", description: "Run a command with the secrets in its environment" },
  args: {
    // Declared for --help only: the command is read from after `--` in rawArgs.
    command: { type: "positional", required: false, description: "-- CMD [ARGS…], after a --" },
    only: { type: "string", description: "Only these secrets, comma-separated (all must exist)" },
    "allow-env": {
      type: "string",
      description:
        "Let these secrets set protected names (PATH, LD_*, DYLD_*, BASH_ENV, NODE_OPTIONS, COFFER_* …), comma-separated",
    },
    mask: {
      type: "boolean",
      default: true,
      description:
        "Mask secret values in CMD's output (--no-mask: CMD writes to coffer's own stdout/stderr)",
    },
    ...scopeArg,
    ...passphraseArgs,
  },
  async run({ args, rawArgs }) {
    const dash = rawArgs.indexOf("--");
    const argv = dash === -1 ? [] : rawArgs.slice(dash + 1);
    if (argv.length === 0) {
      throw new UsageError("no command to run", { hint: "coffer run -- CMD [ARGS…]" });
    }
    const scope = scopeOf(args);
    const only = nameList(args.only);
    const allowed = new Set(nameList(args["allow-env"]));
    const { vault, pending } = await openVault(args, { action: "run", scope });
    let secrets: Secret[];
    try {
      secrets = pick(await vault.current(scope), only, scope);
    } finally {
      await pending[Symbol.asyncDispose]();
    }
    return await runChild(argv, secrets, args.mask !== false, allowed);
  },
});

export function nameList(flag: string | undefined): string[] | undefined {
  return flag?.split(",").map((n) => checkName(n.trim()));
}

export function pick(all: Secret[], only: string[] | undefined, scope: string): Secret[] {
  if (!only) return all;
  const byName = new Map(all.map((s) => [s.name, s]));
  return only.map((name) => {
    const secret = byName.get(name);
    if (!secret) throw new NotFoundError(`no secret '${name}' in scope ${scope}`);
    return secret;
  });
}

export function childEnv(
  secrets: readonly Secret[],
  allowed: ReadonlySet<string>,
): Record<string, string> {
  const env: Record<string, string> = {};
  const skipped: string[] = [];
  for (const [k, v] of Object.entries(context().env)) if (v !== undefined) env[k] = v;
  for (const name of PASSPHRASE_ENV_VARS) delete env[name];
  const decoder = new TextDecoder("utf-8", { fatal: true });
  for (const s of secrets) {
    if (isProtectedEnvName(s.name) && !allowed.has(s.name)) {
      skipped.push(s.name);
      continue;
    }
    let value: string;
    try {
      value = decoder.decode(s.value);
    } catch {
      throw new UsageError(
        `secret ${s.name} is not UTF-8 text and cannot be an environment variable`,
      );
    }
    if (value.includes("\0")) {
      throw new UsageError(
        `secret ${s.name} contains a NUL byte and cannot be an environment variable`,
      );
    }
    env[s.name] = value;
  }
  if (skipped.length > 0) warnSkipped(skipped);
  return env;
}

/** Names only: the values stay in the vault (and are still masked in CMD's output). */
function warnSkipped(names: string[]): void {
  const what = names.length > 1 ? "protected names" : "a protected name";
  say.warn(`not setting ${names.join(", ")} from the vault: ${what} (decides what runs or loads)`);
  say.hint(`to set it anyway: coffer run --allow-env ${names.join(",")} -- …`);
}

async function runChild(
  argv: string[],
  secrets: Secret[],
  mask: boolean,
  allowed: ReadonlySet<string>,
): Promise<ExitStatus> {
  let child: RunningChild;
  const env = childEnv(secrets, allowed);
  try {
    child = startChild({
      argv,
      env,
      mask: mask ? secrets.map((s) => s.value) : undefined,
      maskText: MASK,
      stdout: process.stdout,
      stderr: process.stderr,
    });
  } catch (err) {
    if (!(err instanceof SpawnError)) throw err;
    say.error(`${argv[0]}: ${err.message}`);
    return new ExitStatus(err.exitCode);
  }
  const forward = (signal: NodeJS.Signals) => child.kill(signal);
  const signals = ["SIGINT", "SIGTERM", "SIGHUP"] as const;
  for (const s of signals) process.on(s, forward);
  try {
    return new ExitStatus(await child.exited);
  } finally {
    for (const s of signals) process.removeListener(s, forward);
  }
}
