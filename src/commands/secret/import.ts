// coffer secret import [FILE|-]: .env or JSON into one scope, in one transaction.

import { defineCommand } from "citty";
import { say } from "../../cli/output.ts";
import { CofferError, NotFoundError, UsageError } from "../../errors.ts";
import { INPUT_TIMEOUT_MS, LIMITS } from "../../input/limits.ts";
import { decodeUtf8, readLimited } from "../../input/read-limited.ts";
import { fsError } from "../../store/files.ts";
import { type Pair, parseEnv, parseJson } from "../../vault/dotenv.ts";
import { checkName } from "../../vault/names.ts";
import { output, readStdinText, stdinIsTerminal } from "../_shared.ts";
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
    await using pending = await prepareVault(args, { create: true, stdinTaken: file === "-" });
    const text =
      file === "-" ? readStdinText(LIMITS.importFile, "the input on stdin") : readText(file);
    const pairs: Pair[] = format === "json" ? parseJson(text) : parseEnv(text);
    for (const p of pairs) checkName(p.name);
    warnProtected(pairs.map((p) => p.name));
    if (pairs.length === 0) throw new UsageError("nothing to import");
    const encoder = new TextEncoder();
    await pending.audited({ action: "import", scope }, () =>
      pending.setMany(pairs.map((p) => ({ name: p.name, scope, value: encoder.encode(p.value) }))),
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
  const limits = {
    limit: LIMITS.importFile,
    what: `the file ${path}`,
    timeoutMs: INPUT_TIMEOUT_MS,
  };
  let bytes: Uint8Array;
  try {
    bytes = readLimited({ path }, limits);
  } catch (err) {
    if (err instanceof CofferError) throw err;
    if ((err as NodeJS.ErrnoException).code === "ENOENT")
      throw new NotFoundError(`no file ${path}`);
    throw fsError("read", path, err);
  }
  return decodeUtf8(bytes, limits);
}
