// coffer agent rm SLUG: removes the agent, its documents, its sessions and
// their messages, and every secret of its scope, in one transaction; asks on a
// terminal, else needs --yes. The vault is unlocked only when the scope has secrets.

import { defineCommand } from "citty";
import { openCliClient } from "../../cli/context.ts";
import { say } from "../../cli/output.ts";
import { confirm, hasTerminal } from "../../cli/prompt.ts";
import { AuthError, UsageError } from "../../errors.ts";
import { type AgentRemovalWithSecrets, removeAgent } from "../../remove-agent.ts";
import { checkSlug } from "../../state/agents/rules.ts";
import { output } from "../_shared.ts";
import { openVault, passphraseArgs } from "../secret/_vault.ts";

export default defineCommand({
  meta: {
    name: "rm",
    description: "Remove an agent with its documents, sessions, messages and secrets",
  },
  args: {
    slug: { type: "positional", description: "Agent slug", required: true },
    yes: { type: "boolean", description: "Do not ask (required without a terminal)" },
    ...passphraseArgs,
  },
  async run({ args }) {
    const slug = checkSlug(args.slug);
    let removed: AgentRemovalWithSecrets | undefined;
    const client = await openCliClient();
    try {
      await client.agents.require(slug);
      if (!args.yes) await ask(slug);
      removed = await removeAgent(client, slug).catch((err: unknown) => {
        // Its scope holds secrets: they go too, which needs the vault unlocked.
        if (err instanceof AuthError) return undefined;
        throw err;
      });
    } finally {
      await client.close();
    }
    if (!removed) {
      const { vault, pending } = await openVault(args);
      await using _ = pending;
      removed = await removeAgent(pending.client, slug, { vault });
    }
    const r = removed;
    output({ slug, ...r }, () =>
      say.info(
        `removed agent ${slug}: ${r.sessions} sessions, ${r.messages} messages, ${r.documents} document versions, ${r.secrets} secrets`,
      ),
    );
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
