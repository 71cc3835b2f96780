// coffer session prune: removes expired or idle sessions (or one state's) with
// their messages; --dry-run lists them instead. Prints the count.

import { defineCommand } from "citty";
import { openCliClient } from "../../cli/context.ts";
import { printLines, say } from "../../cli/output.ts";
import { output } from "../_shared.ts";
import { durationFlag } from "../_text.ts";

export default defineCommand({
  meta: { name: "prune", description: "Remove expired or idle sessions with their messages" },
  args: {
    expired: { type: "boolean", description: "Sessions past their TTL" },
    idle: { type: "string", description: "Sessions without a message for this long" },
    state: { type: "string", description: "Only sessions in this state" },
    "dry-run": { type: "boolean", description: "List what would go; change nothing" },
  },
  async run({ args }) {
    const options = {
      expired: args.expired === true,
      idleMs: durationFlag(args.idle, "--idle"),
      state: args.state,
      dryRun: args["dry-run"] === true,
    };
    const client = await openCliClient();
    try {
      const r = await client.sessions.prune(options);
      output(r, () => {
        if (r.dryRun) {
          printLines(r.ids);
          say.info(`would remove ${r.count} sessions`);
        } else {
          printLines([String(r.count)]);
        }
      });
    } finally {
      await client.close();
    }
  },
});
