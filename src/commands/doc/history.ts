// coffer doc history SLUG NAME: every version, oldest first.

import { defineCommand } from "citty";
import { openCliClient } from "../../cli/context.ts";
import { isoTime, printTable } from "../../cli/output.ts";
import { output } from "../_shared.ts";

export default defineCommand({
  meta: { name: "history", description: "List a document's versions" },
  args: {
    slug: { type: "positional", description: "Agent slug", required: true },
    name: { type: "positional", description: "Document name", required: true },
  },
  async run({ args }) {
    const client = await openCliClient();
    try {
      const versions = await client.documents.history(args.slug, args.name);
      output(versions, () =>
        printTable(
          ["VERSION", "SHA256", "CREATED", "MESSAGE"],
          versions.map((v) => [
            String(v.version),
            v.sha256.slice(0, 12),
            isoTime(v.createdAt),
            v.message ?? "",
          ]),
        ),
      );
    } finally {
      await client.close();
    }
  },
});
