// coffer message pop SESSION: removes the latest message and prints it as JSON.

import { defineCommand } from "citty";
import { openCliClient } from "../../cli/context.ts";
import { printJson } from "../../cli/output.ts";

export default defineCommand({
  meta: { name: "pop", description: "Remove the latest message; prints it as JSON" },
  args: { session: { type: "positional", description: "Session id", required: true } },
  async run({ args }) {
    const client = await openCliClient();
    try {
      printJson(await client.messages.pop(args.session));
    } finally {
      await client.close();
    }
  },
});
