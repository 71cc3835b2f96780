// coffer agent list [--status S]: every agent, by slug.

import { defineCommand } from "citty";
import { openCliClient } from "../../cli/context.ts";
import { isoTime, printTable } from "../../cli/output.ts";
import { output } from "../_shared.ts";

export default defineCommand({
  meta: { name: "list", description: "List agents" },
  args: { status: { type: "string", description: "Only agents with this status" } },
  async run({ args }) {
    const client = await openCliClient();
    try {
      const agents = await client.agents.list({ status: args.status });
      output(agents, () =>
        printTable(
          ["SLUG", "NAME", "STATUS", "LAST ACTIVE"],
          agents.map((a) => [a.slug, a.name, a.status, isoTime(a.lastActiveAt)]),
        ),
      );
    } finally {
      await client.close();
    }
  },
});
