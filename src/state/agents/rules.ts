// What an agent is and what its operations check, written once for both
// engines. The slug is also the agent's secret scope: the vault's alphabet.

import * as v from "valibot";
import { AuthError, BusyError, NotFoundError, UsageError } from "../../errors.ts";
import { checkScope } from "../../vault/names.ts";
import { type Json, parseJsonText, toJsonText } from "../json.ts";
import { checkLabel } from "../validate.ts";

export const AGENT_STATUSES = ["active", "disabled", "archived"] as const;
export type AgentStatus = (typeof AGENT_STATUSES)[number];

export interface Agent {
  slug: string;
  name: string;
  description: string;
  status: AgentStatus;
  metadata: Json | null;
  createdAt: number;
  updatedAt: number;
  lastActiveAt: number | null;
}

export interface NewAgent {
  slug: string;
  name?: string | undefined;
  description?: string | undefined;
  status?: AgentStatus | undefined;
  metadata?: Json | undefined;
}

export interface AgentChanges {
  name?: string | undefined;
  description?: string | undefined;
  status?: AgentStatus | undefined;
  /** null clears it. */
  metadata?: Json | undefined;
}

/** Columns as stored: text, JSON as text. */
export interface AgentArgs {
  slug: string;
  name: string;
  description: string;
  status: AgentStatus;
  metadata: string | null;
}

/** Changed columns only; undefined leaves a column as it is. */
export interface AgentPatch {
  name: string | undefined;
  description: string | undefined;
  status: AgentStatus | undefined;
  metadata: { text: string | null } | undefined;
}

const AgentRow = v.object({
  slug: v.string(),
  name: v.string(),
  description: v.string(),
  status: v.picklist(AGENT_STATUSES),
  metadata: v.nullable(v.string()),
  created_at: v.number(),
  updated_at: v.number(),
  last_active_at: v.nullable(v.number()),
});

export function toAgent(row: unknown): Agent {
  const r = v.parse(AgentRow, row);
  return {
    slug: r.slug,
    name: r.name,
    description: r.description,
    status: r.status,
    metadata: parseJsonText(r.metadata),
    createdAt: r.created_at,
    updatedAt: r.updated_at,
    lastActiveAt: r.last_active_at,
  };
}

export function checkSlug(slug: string): string {
  try {
    return checkScope(typeof slug === "string" ? slug : String(slug));
  } catch {
    throw new UsageError(`invalid agent slug '${String(slug).slice(0, 64)}'`, {
      hint: "use letters, digits, _ . : - (starting with a letter or digit): it is also the agent's secret scope",
    });
  }
}

export function checkStatus(status: string): AgentStatus {
  if (!(AGENT_STATUSES as readonly string[]).includes(status)) {
    throw new UsageError(`agent status must be one of ${AGENT_STATUSES.join(", ")}, got ${status}`);
  }
  return status as AgentStatus;
}

function checkDescription(text: string): string {
  if (typeof text !== "string" || text.length > 4096) {
    throw new UsageError("agent description must be a string of at most 4096 characters");
  }
  return text;
}

export function checkNewAgent(input: NewAgent): AgentArgs {
  const slug = checkSlug(input.slug);
  const name = input.name ?? slug;
  checkLabel(name, "agent name");
  return {
    slug,
    name,
    description: checkDescription(input.description ?? ""),
    status: checkStatus(input.status ?? "active"),
    metadata: input.metadata == null ? null : toJsonText(input.metadata, "agent metadata"),
  };
}

export function checkAgentChanges(changes: AgentChanges): AgentPatch {
  if (changes.name !== undefined) checkLabel(changes.name, "agent name");
  return {
    name: changes.name,
    description:
      changes.description === undefined ? undefined : checkDescription(changes.description),
    status: changes.status === undefined ? undefined : checkStatus(changes.status),
    metadata:
      changes.metadata === undefined
        ? undefined
        : {
            text: changes.metadata === null ? null : toJsonText(changes.metadata, "agent metadata"),
          },
  };
}

export function checkAgentFilter(options: { status?: string | undefined } = {}): string | null {
  return options.status === undefined ? null : checkStatus(options.status);
}

export function noAgent(slug: string): NotFoundError {
  return new NotFoundError(`no agent ${slug}`);
}

export function agentExists(slug: string): BusyError {
  return new BusyError(`agent ${slug} already exists`);
}

/** The counts of what an agent's removal took with it. */
export interface AgentRemoval {
  sessions: number;
  messages: number;
  documents: number;
}

/** Its scope holds secrets: they go in the same transaction, which needs the unlocked vault. */
export function agentHasSecrets(slug: string, count: number): AuthError {
  return new AuthError(
    `agent ${slug} has ${count} secret version(s) in its scope: removing it needs the unlocked vault`,
    {
      hint: "give a passphrase (--passphrase-file, --passphrase-fd, COFFER_PASSPHRASE_FILE); library: removeAgent(client, slug, { vault })",
    },
  );
}
