// coffer session set ID: changes state, metadata or the TTL (counted from now).

import { defineCommand } from "citty";
import { openCliClient } from "../../cli/context.ts";
import { say } from "../../cli/output.ts";
import { UsageError } from "../../errors.ts";
import { output } from "../_shared.ts";
import { durationFlag, metadataFlag } from "../_text.ts";

export default defineCommand({
  meta: { name: "set", description: "Change a session's state, metadata or TTL" },
  args: {
    id: { type: "positional", description: "Session id", required: true },
    state: { type: "string", description: "New state" },
    metadata: { type: "string", description: "JSON metadata (null clears it)" },
    ttl: { type: "string", description: "Expires this long from now" },
  },
  async run({ args }) {
    const changes = {
      state: args.state,
      metadata: metadataFlag(args.metadata),
      ttlMs: durationFlag(args.ttl, "--ttl"),
    };
    if (Object.values(changes).every((v) => v === undefined)) {
      throw new UsageError("nothing to change", { hint: "pass --state, --metadata or --ttl" });
    }
    const client = await openCliClient();
    try {
      const session = await client.sessions.update(args.id, changes);
      output(session, () => say.info(`updated session ${session.id}`));
    } finally {
      await client.close();
    }
  },
});
