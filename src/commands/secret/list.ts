// coffer secret list: names, scopes, masked previews, versions; never values.

import { defineCommand } from "citty";
import { isoTime, printTable } from "../../cli/output.ts";
import { checkScope } from "../../vault/names.ts";
import { maskedPreview } from "../../vault/preview.ts";
import { output } from "../_shared.ts";
import { openVault, passphraseArgs } from "./_vault.ts";

export default defineCommand({
  meta: { name: "list", description: "List secrets with a masked preview (all scopes by default)" },
  args: {
    scope: { type: "string", description: "Only this scope" },
    ...passphraseArgs,
  },
  async run({ args }) {
    const scope = args.scope === undefined ? undefined : checkScope(args.scope);
    const { vault, pending } = await openVault(args, { action: "list", scope });
    await using _ = pending;
    const decoder = new TextDecoder();
    const rows = (await vault.current(scope)).map((s) => ({
      name: s.name,
      scope: s.scope,
      preview: maskedPreview(decoder.decode(s.value)),
      version: s.version,
      updated: isoTime(s.createdAt),
    }));
    output(rows, () =>
      printTable(
        ["NAME", "SCOPE", "PREVIEW", "VERSION", "UPDATED"],
        rows.map((r) => [r.name, r.scope, r.preview, String(r.version), r.updated]),
      ),
    );
  },
});
