// coffer message add SESSION --role R [CONTENT|-]: appends a message; prints its id.

import { defineCommand } from "citty";
import { parseIntFlag } from "../../cli/argv.ts";
import { openCliClient } from "../../cli/context.ts";
import { printLines } from "../../cli/output.ts";
import { LIMITS } from "../../input/limits.ts";
import type { Role } from "../../state/messages/rules.ts";
import { output } from "../_shared.ts";
import { argOrStdin, metadataFlag } from "../_text.ts";

export default defineCommand({
  meta: { name: "add", description: "Append a message to a session; prints its id" },
  args: {
    session: { type: "positional", description: "Session id", required: true },
    content: { type: "positional", description: "The content, or - for stdin", required: false },
    role: { type: "string", description: "user, assistant, system or tool", required: true },
    tokens: { type: "string", description: "Token count" },
    metadata: { type: "string", description: "JSON metadata" },
  },
  async run({ args }) {
    const input = {
      role: args.role as Role,
      tokenCount: parseIntFlag(args.tokens, "--tokens", 0, 2 ** 31) ?? null,
      metadata: metadataFlag(args.metadata) ?? null,
    };
    const content = argOrStdin(args.content, "message content", LIMITS.messageContent);
    const client = await openCliClient();
    try {
      const m = await client.messages.append(args.session, { ...input, content });
      output(m, () => printLines([String(m.id)]));
    } finally {
      await client.close();
    }
  },
});
