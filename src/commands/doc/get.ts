// coffer doc get SLUG NAME [--version N]: the exact text, checked against its SHA-256.

import { defineCommand } from "citty";
import { parseIntFlag } from "../../cli/argv.ts";
import { openCliClient } from "../../cli/context.ts";
import { getStreams } from "../../cli/output.ts";
import { output } from "../_shared.ts";

export default defineCommand({
  meta: { name: "get", description: "Print a document's text exactly (latest version by default)" },
  args: {
    slug: { type: "positional", description: "Agent slug", required: true },
    name: { type: "positional", description: "Document name", required: true },
    version: { type: "string", description: "This version instead of the latest" },
  },
  async run({ args }) {
    const version = parseIntFlag(args.version, "--version", 1, 2 ** 31);
    const client = await openCliClient();
    try {
      const doc = await client.documents.get(args.slug, args.name, {
        ...(version === undefined ? {} : { version }),
      });
      // Data, written as stored: no newline added, nothing escaped.
      output(doc, () => getStreams().stdout.write(doc.content));
    } finally {
      await client.close();
    }
  },
});
