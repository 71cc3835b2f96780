// coffer session new: creates a session; prints its id.

import { defineCommand } from "citty";
import { openCliClient } from "../../cli/context.ts";
import { printLines } from "../../cli/output.ts";
import { output } from "../_shared.ts";
import { durationFlag, metadataFlag } from "../_text.ts";

export default defineCommand({
  meta: { name: "new", description: "Create a session; prints its id" },
  args: {
    agent: { type: "string", description: "The agent it belongs to" },
    channel: { type: "string", description: "Where it happens (default unknown)" },
    user: { type: "string", description: "The user it is with" },
    metadata: { type: "string", description: "JSON metadata" },
    ttl: { type: "string", description: "Expires after this long (30s, 15m, 12h, 7d, 2w)" },
  },
  async run({ args }) {
    const input = {
      agent: args.agent,
      ...(args.channel === undefined ? {} : { channel: args.channel }),
      userId: args.user ?? null,
      metadata: metadataFlag(args.metadata) ?? null,
      ttlMs: durationFlag(args.ttl, "--ttl") ?? null,
    };
    const client = await openCliClient();
    try {
      const session = await client.sessions.create(input);
      output(session, () => printLines([session.id]));
    } finally {
      await client.close();
    }
  },
});
