// coffer secret export: one scope's secrets as .env (default) or JSON on
// stdout (--json: JSON); asks first when stdout is a terminal.

import { defineCommand } from "citty";
import { getStreams } from "../../cli/output.ts";
import { confirm } from "../../cli/prompt.ts";
import { UsageError } from "../../errors.ts";
import { formatEnv, formatJson } from "../../vault/dotenv.ts";
import { wantsJson } from "../_shared.ts";
import { openVault, passphraseArgs, scopeArg, scopeOf } from "./_vault.ts";

export default defineCommand({
  meta: { name: "export", description: "Print a scope's secrets as .env or JSON" },
  args: {
    format: { type: "string", description: "env (default) or json" },
    ...scopeArg,
    ...passphraseArgs,
  },
  async run({ args }) {
    const format = formatOf(args.format);
    const scope = scopeOf(args);
    const { vault, pending } = await openVault(args, { action: "export", scope });
    await using _ = pending;
    const decoder = new TextDecoder("utf-8", { fatal: true });
    const pairs = (await vault.current(scope)).map((s) => {
      try {
        return { name: s.name, value: decoder.decode(s.value) };
      } catch {
        throw new UsageError(`secret ${s.name} is not UTF-8 text and cannot be exported`, {
          hint: `coffer secret get ${s.name} > FILE`,
        });
      }
    });
    const { stdout } = getStreams();
    if (
      stdout.isTTY &&
      !(await confirm(`print ${pairs.length} secret value(s) to the terminal?`))
    ) {
      throw new UsageError("export cancelled", { hint: "redirect stdout to a file" });
    }
    stdout.write(format === "json" ? formatJson(pairs) : formatEnv(pairs));
  },
});

/** --json makes the output one JSON document, as for every command: the json format. */
function formatOf(flag: string | undefined): "env" | "json" {
  if (flag !== undefined && flag !== "env" && flag !== "json") {
    throw new UsageError(`--format must be env or json, got '${flag}'`);
  }
  if (wantsJson()) {
    if (flag === "env") throw new UsageError("--json prints JSON: give --json or --format env");
    return "json";
  }
  return flag ?? "env";
}
