// coffer secret get NAME: exactly the stored bytes on stdout; a newline only
// for a terminal. Kept light: it pays for little beyond the key derivation.

import { defineCommand } from "citty";
import { parseIntFlag } from "../../cli/argv.ts";
import { getStreams } from "../../cli/output.ts";
import { checkName } from "../../vault/names.ts";
import { output } from "../_shared.ts";
import { passphraseArgs, prepareVault, scopeArg, scopeOf } from "./_vault.ts";

export default defineCommand({
  meta: { name: "get", description: "Print a secret's value to stdout" },
  args: {
    name: { type: "positional", description: "Secret name", required: true },
    version: { type: "string", description: "An older version (see secret history)" },
    ...scopeArg,
    ...passphraseArgs,
  },
  async run({ args }) {
    const name = checkName(args.name);
    const scope = scopeOf(args);
    const version = parseIntFlag(args.version, "--version", 1);
    await using pending = await prepareVault(args);
    const secret = await pending.audited(
      { action: "get", scope, name },
      async () => (await pending.open()).get(name, scope, version),
      (s) => s.version,
    );
    output(
      { name, scope, version: secret.version, value: new TextDecoder().decode(secret.value) },
      () => {
        const { stdout } = getStreams();
        // Bytes, not text: a value need not be UTF-8.
        (stdout as unknown as { write(data: Uint8Array): unknown }).write(secret.value);
        if (stdout.isTTY) stdout.write("\n");
      },
    );
  },
});
