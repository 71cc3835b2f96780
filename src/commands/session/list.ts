// coffer session list: newest first, filtered by agent, state and metadata,
// a page at a time; --json gives { sessions, next } (pass next to --after).

import { defineCommand } from "citty";
import { parseIntFlag } from "../../cli/argv.ts";
import { openCliClient } from "../../cli/context.ts";
import { isoTime, printTable, say } from "../../cli/output.ts";
import { output } from "../_shared.ts";
import { whereFlags } from "../_text.ts";

export default defineCommand({
  meta: { name: "list", description: "List sessions, newest first" },
  args: {
    agent: { type: "string", description: "Only this agent's sessions" },
    state: { type: "string", description: "Only sessions in this state" },
    where: { type: "string", description: "KEY=VALUE: top-level metadata equals (repeatable)" },
    limit: { type: "string", description: "At most N sessions (default 50)" },
    after: { type: "string", description: "The page after this cursor (a page's next)" },
    offset: { type: "string", description: "Skip the first N sessions" },
  },
  async run({ args, rawArgs }) {
    const options = {
      agent: args.agent,
      state: args.state,
      where: whereFlags(rawArgs),
      limit: parseIntFlag(args.limit, "--limit", 1),
      after: args.after,
      offset: parseIntFlag(args.offset, "--offset", 0),
    };
    const client = await openCliClient();
    try {
      // An agent that does not exist is exit 3, not an empty list that looks like "none yet".
      if (options.agent !== undefined) await client.agents.require(options.agent);
      const page = await client.sessions.page(options);
      output(page, () => {
        printTable(
          ["ID", "AGENT", "CHANNEL", "USER", "STATE", "CREATED", "UPDATED"],
          page.sessions.map((s) => [
            s.id,
            s.agent ?? "-",
            s.channel,
            s.userId ?? "-",
            s.state,
            isoTime(s.createdAt),
            isoTime(s.updatedAt),
          ]),
        );
        if (page.next) say.hint(`more: --after ${page.next}`);
      });
    } finally {
      await client.close();
    }
  },
});
