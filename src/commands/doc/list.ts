// coffer doc list SLUG: the agent's documents, each at its latest version.

import { defineCommand } from "citty";
import { openCliClient } from "../../cli/context.ts";
import { isoTime, printTable } from "../../cli/output.ts";
import { output } from "../_shared.ts";

export default defineCommand({
  meta: { name: "list", description: "List an agent's documents" },
  args: { slug: { type: "positional", description: "Agent slug", required: true } },
  async run({ args }) {
    const client = await openCliClient();
    try {
      const docs = await client.documents.list(args.slug);
      output(docs, () =>
        printTable(
          ["NAME", "VERSION", "SHA256", "UPDATED"],
          docs.map((d) => [d.name, String(d.version), d.sha256.slice(0, 12), isoTime(d.createdAt)]),
        ),
      );
    } finally {
      await client.close();
    }
  },
});
