// How an agent is shown to people.

import { isoTime, printLines } from "../../cli/output.ts";
import type { Agent } from "../../state/agents/rules.ts";

export function printAgent(a: Agent): void {
  printLines([
    `slug:        ${a.slug}`,
    `name:        ${a.name}`,
    `status:      ${a.status}`,
    `description: ${a.description || "-"}`,
    `created:     ${isoTime(a.createdAt)}`,
    `updated:     ${isoTime(a.updatedAt)}`,
    `last active: ${isoTime(a.lastActiveAt)}`,
    ...(a.metadata === null ? [] : [`metadata:    ${JSON.stringify(a.metadata)}`]),
  ]);
}
