// coffer agent set SLUG: changes status, name, description or metadata.

import { defineCommand } from "citty";
import { openCliClient } from "../../cli/context.ts";
import { UsageError } from "../../errors.ts";
import { checkStatus } from "../../state/agents/rules.ts";
import { output } from "../_shared.ts";
import { metadataFlag } from "../_text.ts";
import { printAgent } from "./_print.ts";

export default defineCommand({
  meta: { name: "set", description: "Change an agent" },
  args: {
    slug: { type: "positional", description: "Agent slug", required: true },
    status: { type: "string", description: "active, disabled or archived" },
    name: { type: "string", description: "Display name" },
    description: { type: "string", description: "What the agent is for" },
    metadata: { type: "string", description: "JSON metadata (null clears it)" },
  },
  async run({ args }) {
    const changes = {
      status: args.status === undefined ? undefined : checkStatus(args.status),
      name: args.name,
      description: args.description,
      metadata: metadataFlag(args.metadata),
    };
    if (Object.values(changes).every((v) => v === undefined)) {
      throw new UsageError("nothing to change", {
        hint: "pass --status, --name, --description or --metadata",
      });
    }
    const client = await openCliClient();
    try {
      const agent = await client.agents.update(args.slug, changes);
      output(agent, () => printAgent(agent));
    } finally {
      await client.close();
    }
  },
});
