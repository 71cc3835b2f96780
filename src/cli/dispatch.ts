// Finds the command an argv names, refuses unknown flags (citty accepts them
// by default), answers --help, and runs it with citty.

import { type ArgsDef, type CommandDef, renderUsage, runCommand } from "citty";
import { version } from "../../package.json" with { type: "json" };
import { UsageError } from "../errors.ts";
import { setCommandName } from "./context.ts";
import { getStreams } from "./output.ts";

type AnyCommand = CommandDef<ArgsDef>;

async function resolve<T>(value: T | Promise<T> | (() => T | Promise<T>)): Promise<T> {
  return typeof value === "function" ? await (value as () => T | Promise<T>)() : await value;
}

/** Runs the command argv names; returns what its run() returned (an ExitStatus, say). */
export async function dispatch(root: AnyCommand, argv: readonly string[]): Promise<unknown> {
  let cmd = root;
  let parentPath: string | undefined;
  let path = "coffer";
  let i = 0;
  for (; i < argv.length; i++) {
    const subCommands = cmd.subCommands ? await resolve(cmd.subCommands) : undefined;
    if (!subCommands) break;
    const token = argv[i] as string;
    if (token === "--help" || token === "-h") return showHelp(cmd, parentPath);
    if (token.startsWith("-"))
      throw new UsageError(`unknown flag ${token} for ${path}`, { hint: `see ${path} --help` });
    const sub = subCommands[token];
    if (!sub)
      throw new UsageError(`unknown command '${token}' for ${path}`, {
        hint: `see ${path} --help`,
      });
    parentPath = path;
    cmd = await resolve(sub);
    path = `${path} ${token}`;
  }
  if (cmd.subCommands && !cmd.run) {
    await showHelp(cmd, parentPath, true);
    throw new UsageError(`${path} needs a subcommand`);
  }
  const args = argv.slice(i);
  const end = args.indexOf("--");
  const flags = end === -1 ? args : args.slice(0, end);
  if (flags.includes("--help") || flags.includes("-h")) return showHelp(cmd, parentPath);
  checkFlags(flags, cmd.args ? await resolve(cmd.args) : {}, path);
  setCommandName(path.replace(/^coffer /, ""));
  try {
    return (await runCommand(cmd, { rawArgs: args })).result;
  } catch (err) {
    if (err instanceof Error && err.name === "CLIError") {
      throw new UsageError(`${path}: ${stripAnsi(err.message).replace(/\.$/, "").toLowerCase()}`, {
        hint: `see ${path} --help`,
      });
    }
    throw err;
  }
}

/**
 * Every `-x`/`--name` before `--` must be an argument the command declares.
 * The token after a flag that takes a value is that value, even `-ENOSPC`.
 */
function checkFlags(tokens: readonly string[], argsDef: ArgsDef, path: string): void {
  const known = new Set<string>();
  const takesValue = new Set<string>();
  for (const [name, def] of Object.entries(argsDef)) {
    if (def.type === "positional") continue;
    const alias = "alias" in def ? def.alias : undefined;
    const names = [name, kebab(name), ...(Array.isArray(alias) ? alias : alias ? [alias] : [])];
    for (const n of names) {
      known.add(n);
      if (def.type === "boolean") known.add(`no-${n}`);
      else takesValue.add(n.length === 1 ? `-${n}` : `--${n}`);
    }
  }
  for (let i = 0; i < tokens.length; i++) {
    const token = tokens[i] as string;
    if (takesValue.has(token)) {
      i++;
      continue;
    }
    if (!token.startsWith("-") || token === "-" || /^-\d/.test(token)) continue;
    const name = token.startsWith("--") ? (token.slice(2).split("=")[0] ?? "") : token.slice(1);
    const names = token.startsWith("--") ? [name] : [...name];
    for (const n of names) {
      if (!known.has(n)) {
        // Only the flag's name: `--value=…` may carry a secret.
        const flag = token.split("=")[0];
        throw new UsageError(`unknown flag ${flag} for ${path}`, { hint: `see ${path} --help` });
      }
    }
  }
}

function kebab(name: string): string {
  return name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
}

/** citty names a command after its parent: give it the whole path ("coffer queue") as that parent. */
async function showHelp(
  cmd: AnyCommand,
  parentPath: string | undefined,
  toStderr = false,
): Promise<void> {
  const { stdout, stderr } = getStreams();
  const out = toStderr ? stderr : stdout;
  const parent = parentPath === undefined ? undefined : { meta: { name: parentPath, version } };
  const text = await renderUsage(cmd, parent);
  out.write(`${out.isTTY && !process.env.NO_COLOR ? text : stripAnsi(text)}\n`);
}

export function stripAnsi(text: string): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: matching ANSI escapes is the point
  return text.replace(/\u001b\[[0-9;]*m/g, "");
}
