// Removing an agent with everything it owns (SPEC §11): its rows and, when its
// scope holds secrets, those secrets, in one transaction in which the vault's
// digest and generation are updated too.

import type { Client } from "./client.ts";
import type { AgentRemoval } from "./state/agents/rules.ts";
import { checkSlug } from "./state/agents/rules.ts";
import type { Vault } from "./vault/vault.ts";

export interface AgentRemovalWithSecrets extends AgentRemoval {
  /** Secrets of the agent's scope removed with it. */
  secrets: number;
}

/**
 * Removes agent `slug`, its documents, sessions and messages, and (given the
 * unlocked `vault`) every secret of its scope, all in one transaction. Without
 * a vault, an agent whose scope holds secrets is refused (AuthError), nothing changed.
 */
export async function removeAgent(
  client: Client,
  slug: string,
  options: { vault?: Vault | undefined } = {},
): Promise<AgentRemovalWithSecrets> {
  checkSlug(slug);
  const { vault } = options;
  return await client.transaction(
    async (tx) => {
      await tx.agents.require(slug);
      const secrets = vault ? await tx.bindVault(vault).removeScope(slug) : 0;
      return { ...(await tx.agents.remove(slug)), secrets };
    },
    { durable: vault !== undefined },
  );
}
