// coffer key list: names, rules and times; never a key or its hash.

import { defineCommand } from "citty";
import { openCliClient } from "../../cli/context.ts";
import { isoTime, printTable } from "../../cli/output.ts";
import { output } from "../_shared.ts";

export default defineCommand({
  meta: { name: "list", description: "List API keys (never the keys)" },
  async run() {
    const client = await openCliClient();
    try {
      const keys = await client.keys.list();
      output(keys, () =>
        printTable(
          ["NAME", "RULES", "CREATED", "LAST USED", "EXPIRES"],
          keys.map((k) => [
            k.name,
            k.rules.join(",") || "-",
            isoTime(k.createdAt),
            isoTime(k.lastUsedAt),
            isoTime(k.expiresAt),
          ]),
        ),
      );
    } finally {
      await client.close();
    }
  },
});
