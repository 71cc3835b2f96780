// coffer key create NAME [--allow RULES] [--expires DURATION]: prints the new key once.

import { defineCommand } from "citty";
import { parseDuration } from "../../cli/argv.ts";
import { openCliClient } from "../../cli/context.ts";
import { getStreams, printJson, say } from "../../cli/output.ts";
import { parseRules } from "../../state/keys/rules.ts";
import { wantsJson } from "../_shared.ts";

export default defineCommand({
  meta: {
    name: "create",
    description: "Create an API key; it is printed once, only its hash is kept",
  },
  args: {
    name: { type: "positional", description: "Key name", required: true },
    allow: {
      type: "string",
      description: "Rules: sessions[:read], agents[:read], queue:NAME, secrets:SCOPE[:read], admin",
    },
    expires: {
      type: "string",
      description: "Stop working after this long (30s, 15m, 12h, 7d, 2w)",
    },
  },
  async run({ args }) {
    const rules = parseRules(args.allow ?? "");
    const expiresIn =
      args.expires === undefined ? undefined : parseDuration(args.expires, "--expires");
    const client = await openCliClient();
    try {
      const { key, info } = await client.keys.create({ name: args.name, rules, expiresIn });
      // The key is data: stdout, exactly; it is never shown again.
      if (wantsJson()) printJson({ ...info, key });
      else getStreams().stdout.write(`${key}\n`);
      if (rules.length === 0) say.info("this key has no rules: it can only call /v1/health");
    } finally {
      await client.close();
    }
  },
});
