// coffer secret import [FILE|-]: .env or JSON into one scope, in one transaction.

import { readFileSync } from "node:fs";
import { defineCommand } from "citty";
import { say } from "../../cli/output.ts";
import { NotFoundError, UsageError } from "../../errors.ts";
import { fsError } from "../../store/files.ts";
import { type Pair, parseEnv, parseJson } from "../../vault/dotenv.ts";
import { checkName } from "../../vault/names.ts";
import { output, stdinIsTerminal } from "../_shared.ts";
import { passphraseArgs, prepareVault, scopeArg, scopeOf, warnProtected } from "./_vault.ts";

export default defineCommand({
  meta: { name: "import", description: "Import secrets from a .env or JSON file (or - for stdin)" },
  args: {
    file: { type: "positional", description: "File to read, or - for stdin", required: false },
    format: { type: "string", description: "env or json (default: from the file name, else env)" },
    ...scopeArg,
    ...passphraseArgs,
  },
  async run({ args }) {
    const scope = scopeOf(args);
    const file = args.file ?? "-";
    const format = formatOf(args.format, file);
    if (file === "-" && stdinIsTerminal()) {
      throw new UsageError("import reads from stdin, which is a terminal", {
        hint: "coffer secret import FILE, or pipe the file in",
      });
    }
    using pending = await prepareVault(args, { create: true, stdinTaken: file === "-" });
    const text = file === "-" ? await Bun.stdin.text() : readText(file);
    const pairs: Pair[] = format === "json" ? parseJson(text) : parseEnv(text);
    for (const p of pairs) checkName(p.name);
    warnProtected(pairs.map((p) => p.name));
    if (pairs.length === 0) throw new UsageError("nothing to import");
    const vault = await pending.open();
    const encoder = new TextEncoder();
    await vault.setMany(
      pairs.map((p) => ({ name: p.name, scope, value: encoder.encode(p.value) })),
    );
    output({ imported: pairs.length, scope }, () =>
      say.info(`imported ${pairs.length} secret(s) into scope ${scope}`),
    );
  },
});

function formatOf(flag: string | undefined, file: string): "env" | "json" {
  if (flag === undefined) return file.endsWith(".json") ? "json" : "env";
  if (flag === "env" || flag === "json") return flag;
  throw new UsageError(`--format must be env or json, got '${flag}'`);
}

function readText(path: string): string {
  try {
    return readFileSync(path, "utf8");
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT")
      throw new NotFoundError(`no file ${path}`);
    throw fsError("read", path, err);
  }
}
