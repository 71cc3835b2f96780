// coffer agent rm SLUG: removes the agent, its documents, its sessions and
// their messages in one transaction; asks on a terminal, else needs --yes.

import { defineCommand } from "citty";
import { openCliClient } from "../../cli/context.ts";
import { say } from "../../cli/output.ts";
import { confirm, hasTerminal } from "../../cli/prompt.ts";
import { UsageError } from "../../errors.ts";
import { checkSlug } from "../../state/agents/rules.ts";
import { output } from "../_shared.ts";

export default defineCommand({
  meta: { name: "rm", description: "Remove an agent with its documents, sessions and messages" },
  args: {
    slug: { type: "positional", description: "Agent slug", required: true },
    yes: { type: "boolean", description: "Do not ask (required without a terminal)" },
  },
  async run({ args }) {
    const slug = checkSlug(args.slug);
    const client = await openCliClient();
    try {
      await client.agents.require(slug);
      if (!args.yes) await ask(slug);
      const removed = await client.agents.remove(slug);
      output({ slug, ...removed }, () =>
        say.info(
          `removed agent ${slug}: ${removed.sessions} sessions, ${removed.messages} messages, ${removed.documents} document versions`,
        ),
      );
    } finally {
      await client.close();
    }
  },
});

async function ask(slug: string): Promise<void> {
  if (!process.stdin.isTTY || !hasTerminal()) {
    throw new UsageError(`agent rm removes ${slug} and all it owns: pass --yes to confirm`, {
      hint: "no terminal to ask on",
    });
  }
  if (
    !(await confirm(`remove agent ${slug} with its documents, sessions, messages and secrets?`))
  ) {
    throw new UsageError("agent rm not confirmed; nothing was changed");
  }
}
