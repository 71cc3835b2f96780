// coffer agent show SLUG: one agent, with its documents and session count.

import { defineCommand } from "citty";
import { openCliClient } from "../../cli/context.ts";
import { printLines } from "../../cli/output.ts";
import { output } from "../_shared.ts";
import { printAgent } from "./_print.ts";

export default defineCommand({
  meta: { name: "show", description: "Show an agent" },
  args: { slug: { type: "positional", description: "Agent slug", required: true } },
  async run({ args }) {
    const client = await openCliClient();
    try {
      const agent = await client.agents.require(args.slug);
      const documents = await client.documents.list(agent.slug);
      output({ ...agent, documents }, () => {
        printAgent(agent);
        const names = documents.map((d) => `${d.name} (v${d.version})`);
        printLines([`documents:   ${names.join(", ") || "-"}`]);
      });
    } finally {
      await client.close();
    }
  },
});
