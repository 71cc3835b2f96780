// coffer secret rm NAME: deletes a secret and its history.

import { defineCommand } from "citty";
import { say } from "../../cli/output.ts";
import { checkName } from "../../vault/names.ts";
import { output } from "../_shared.ts";
import { passphraseArgs, prepareVault, scopeArg, scopeOf } from "./_vault.ts";

export default defineCommand({
  meta: { name: "rm", description: "Delete a secret with all its versions" },
  args: {
    name: { type: "positional", description: "Secret name", required: true },
    ...scopeArg,
    ...passphraseArgs,
  },
  async run({ args }) {
    const name = checkName(args.name);
    const scope = scopeOf(args);
    await using pending = await prepareVault(args);
    await pending.audited({ action: "rm", scope, name }, async () =>
      (await pending.open()).remove(name, scope),
    );
    output({ name, scope, removed: true }, () => say.info(`removed ${name} (scope ${scope})`));
  },
});
