// coffer key rm NAME: the key stops working at once.

import { defineCommand } from "citty";
import { openCliClient } from "../../cli/context.ts";

export default defineCommand({
  meta: { name: "rm", description: "Remove an API key" },
  args: { name: { type: "positional", description: "Key name", required: true } },
  async run({ args }) {
    const client = await openCliClient();
    try {
      await client.keys.remove(args.name);
    } finally {
      await client.close();
    }
  },
});
