// coffer agent create SLUG: a new agent; its slug is also its secret scope.

import { defineCommand } from "citty";
import { openCliClient } from "../../cli/context.ts";
import { printLines } from "../../cli/output.ts";
import { output } from "../_shared.ts";
import { metadataFlag } from "../_text.ts";

export default defineCommand({
  meta: { name: "create", description: "Create an agent; prints its slug" },
  args: {
    slug: { type: "positional", description: "Agent slug (also its secret scope)", required: true },
    name: { type: "string", description: "Display name (default: the slug)" },
    description: { type: "string", description: "What the agent is for" },
    metadata: { type: "string", description: "JSON metadata" },
  },
  async run({ args }) {
    const metadata = metadataFlag(args.metadata);
    const client = await openCliClient();
    try {
      const agent = await client.agents.create({
        slug: args.slug,
        name: args.name,
        description: args.description,
        metadata,
      });
      output(agent, () => printLines([agent.slug]));
    } finally {
      await client.close();
    }
  },
});
