// coffer message list SESSION [--last N] [--after ID]: messages in order.

import { defineCommand } from "citty";
import { parseIntFlag } from "../../cli/argv.ts";
import { openCliClient } from "../../cli/context.ts";
import { UsageError } from "../../errors.ts";
import { output } from "../_shared.ts";
import { messageId } from "../_text.ts";
import { printMessages } from "./_print.ts";

export default defineCommand({
  meta: { name: "list", description: "List a session's messages, oldest first" },
  args: {
    session: { type: "positional", description: "Session id", required: true },
    last: { type: "string", description: "Only the last N" },
    after: { type: "string", description: "Only those after this message id" },
    limit: { type: "string", description: "At most N (with --after)" },
  },
  async run({ args }) {
    const last = parseIntFlag(args.last, "--last", 1);
    const after = args.after === undefined ? undefined : messageId(args.after, "--after");
    const limit = parseIntFlag(args.limit, "--limit", 1);
    if (last !== undefined && (after !== undefined || limit !== undefined)) {
      throw new UsageError("--last cannot be combined with --after or --limit");
    }
    const client = await openCliClient();
    try {
      await client.sessions.require(args.session);
      const messages =
        last === undefined
          ? await client.messages.list(args.session, { after, limit })
          : await client.messages.last(args.session, last);
      output(messages, () => printMessages(messages));
    } finally {
      await client.close();
    }
  },
});
