// coffer message search QUERY: ranked full-text matches, best first.

import { defineCommand } from "citty";
import { parseIntFlag } from "../../cli/argv.ts";
import { openCliClient } from "../../cli/context.ts";
import { printTable } from "../../cli/output.ts";
import { output } from "../_shared.ts";

export default defineCommand({
  meta: { name: "search", description: "Search messages (every word must match), best first" },
  args: {
    query: { type: "positional", description: "Words to look for", required: true },
    session: { type: "string", description: "Only in this session" },
    agent: { type: "string", description: "Only in this agent's sessions" },
    limit: { type: "string", description: "At most N matches (default 20)" },
  },
  async run({ args }) {
    const options = {
      session: args.session,
      agent: args.agent,
      limit: parseIntFlag(args.limit, "--limit", 1, 1000),
    };
    const client = await openCliClient();
    try {
      // A filter naming nothing is exit 3, not an empty result that looks like "no match".
      if (options.agent !== undefined) await client.agents.require(options.agent);
      if (options.session !== undefined) await client.sessions.require(options.session);
      const hits = await client.messages.search(args.query, options);
      output(hits, () =>
        printTable(
          ["SESSION", "MESSAGE", "ROLE", "SNIPPET"],
          hits.map((h) => [h.sessionId, String(h.messageId), h.role, h.snippet]),
        ),
      );
    } finally {
      await client.close();
    }
  },
});
