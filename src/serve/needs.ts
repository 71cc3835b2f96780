// What a route needs of a key, declared in the route table (so the OpenAPI
// document can say it), and how a request turns it into the Right to check.

import type { Right } from "../state/keys/rules.ts";
import { refuse } from "./api-error.ts";
import type { RouteContext } from "./route.ts";
import { positiveId } from "./schemas.ts";

export type Need =
  | { area: "admin" }
  | { area: "any" }
  | { area: "sessions" | "agents"; write: boolean }
  /** The queue named in the path ({queue}), or the queue of the job ({id}). */
  | { area: "queue"; from: "path" | "job" }
  /** The scope named in the path ({scope}), or in the query (`?scope=`, else any: a listing). */
  | { area: "secrets"; write: boolean; from?: "query" };

export const needs = {
  admin: { area: "admin" },
  anyRule: { area: "any" },
  sessionsRead: { area: "sessions", write: false },
  sessions: { area: "sessions", write: true },
  agentsRead: { area: "agents", write: false },
  agents: { area: "agents", write: true },
  queue: { area: "queue", from: "path" },
  jobQueue: { area: "queue", from: "job" },
  secretsRead: { area: "secrets", write: false },
  secrets: { area: "secrets", write: true },
  secretsListing: { area: "secrets", write: false, from: "query" },
} as const satisfies Record<string, Need>;

export async function rightFor(need: Need, ctx: RouteContext): Promise<Right> {
  switch (need.area) {
    case "admin":
    case "any":
      return need;
    case "sessions":
    case "agents":
      return need;
    case "secrets": {
      const scope =
        need.from === "query"
          ? ((ctx.query as { scope?: string }).scope ?? null)
          : (ctx.params.scope ?? "");
      return { area: "secrets", scope, write: need.write };
    }
    case "queue": {
      if (need.from === "path") return { area: "queue", queue: ctx.params.queue ?? "" };
      const id = positiveId(ctx.params.id, "job id");
      const known = ctx.jobQueues.get(id);
      if (known !== undefined) return { area: "queue", queue: known };
      const job = await ctx.client.queue.get(id);
      if (!job) throw refuse.notFound(`no job ${id}`);
      return { area: "queue", queue: job.queue };
    }
  }
}

/** The rule a key needs, as the docs show it. */
export function describeNeed(need: Need): string {
  switch (need.area) {
    case "admin":
      return "`admin`";
    case "any":
      return "any rule";
    case "sessions":
    case "agents":
      return need.write ? `\`${need.area}\`` : `\`${need.area}:read\` or \`${need.area}\``;
    case "queue":
      return need.from === "path" ? "`queue:{queue}`" : "`queue:` + the job's queue";
    case "secrets":
      if (need.from === "query")
        return "`secrets:SCOPE:read` (lists only the scopes the key may read)";
      return need.write ? "`secrets:{scope}`" : "`secrets:{scope}:read` or `secrets:{scope}`";
  }
}
