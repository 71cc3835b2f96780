// coffer secret history NAME: the versions kept, without values.

import { defineCommand } from "citty";
import { isoTime, printTable } from "../../cli/output.ts";
import { checkName } from "../../vault/names.ts";
import { output } from "../_shared.ts";
import { openVault, passphraseArgs, scopeArg, scopeOf } from "./_vault.ts";

export default defineCommand({
  meta: { name: "history", description: "List the versions kept of a secret (no values)" },
  args: {
    name: { type: "positional", description: "Secret name", required: true },
    ...scopeArg,
    ...passphraseArgs,
  },
  async run({ args }) {
    const name = checkName(args.name);
    const scope = scopeOf(args);
    const { vault, pending } = await openVault(args);
    await using _ = pending;
    const versions = await vault.history(name, scope);
    output(
      versions.map((v) => ({ ...v, created: isoTime(v.createdAt) })),
      () =>
        printTable(
          ["VERSION", "CREATED"],
          versions.map((v) => [String(v.version), isoTime(v.createdAt)]),
        ),
    );
  },
});
