// coffer secret set NAME: the value from stdin when piped (one trailing
// newline dropped unless --raw), else a hidden prompt; never from argv.

import { defineCommand } from "citty";
import { say } from "../../cli/output.ts";
import { promptHidden } from "../../cli/prompt.ts";
import { UsageError } from "../../errors.ts";
import { formatLimit, LIMITS } from "../../input/limits.ts";
import { checkName } from "../../vault/names.ts";
import { output, readStdin, stdinIsTerminal } from "../_shared.ts";
import { passphraseArgs, prepareVault, scopeArg, scopeOf, warnProtected } from "./_vault.ts";

export default defineCommand({
  meta: {
    name: "set",
    description: "Store a new version of a secret (value from stdin or a prompt)",
  },
  args: {
    name: { type: "positional", description: "Secret name (letters, digits, _)", required: true },
    value: { type: "positional", description: "Refused: pass the value on stdin", required: false },
    raw: { type: "boolean", description: "Keep every byte from stdin, trailing newline included" },
    ...scopeArg,
    ...passphraseArgs,
  },
  async run({ args }) {
    if (args.value !== undefined) {
      throw new UsageError(
        "a secret value on the command line is refused (argv is visible to others)",
        {
          hint: `pipe it in: printf %s "$VALUE" | coffer secret set ${args.name}`,
        },
      );
    }
    const name = checkName(args.name);
    warnProtected([name]);
    const scope = scopeOf(args);
    const fromStdin = !stdinIsTerminal();
    await using pending = await prepareVault(args, { create: true, stdinTaken: fromStdin });
    const value = fromStdin ? readPiped(args.raw) : await readPrompted(name);
    if (value.length === 0) {
      throw new UsageError("the value is empty", { hint: "pipe the value in on stdin" });
    }
    const [version] = await pending.audited(
      { action: "set", scope, name },
      () => pending.setMany([{ name, scope, value }]),
      ([v]) => v,
    );
    output({ name, scope, version }, () =>
      say.info(`stored ${name} (scope ${scope}, version ${version})`),
    );
  },
});

function readPiped(raw: boolean | undefined): Uint8Array {
  // Two bytes of room for the newline that is dropped; the value itself is checked below.
  const bytes = readStdin(LIMITS.secretValue, "the value on stdin", 2);
  let end = bytes.length;
  if (!raw) {
    // `echo` adds one newline; exactly one is dropped (\n or \r\n).
    if (bytes[end - 1] === 0x0a) end--;
    if (end < bytes.length && bytes[end - 1] === 0x0d) end--;
  }
  if (end > LIMITS.secretValue) {
    throw new UsageError(`the value on stdin is over the ${formatLimit(LIMITS.secretValue)} limit`);
  }
  return bytes.subarray(0, end);
}

async function readPrompted(name: string): Promise<Uint8Array> {
  return new TextEncoder().encode(await promptHidden(`value for ${name}: `));
}
