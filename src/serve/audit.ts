// A secret route's outcome in the audit trail, whatever it was (SPEC §13):
// the key's name as actor, the path's scope and name, the version answered.
// Never a value: only the reply's `version` is read.

import { type Outcome, outcomeOf } from "../state/audit/rules.ts";
import { ApiError } from "./api-error.ts";
import type { Reply, RouteContext } from "./route.ts";

/** A secret route's outcome in the audit trail, whatever it was: the key's name as actor, never a value. */
export async function audited(
  action: string,
  ctx: RouteContext,
  run: () => Promise<Reply>,
): Promise<Reply> {
  const what = {
    actor: ctx.key?.name ?? "anonymous",
    action,
    scope: ctx.params.scope ?? null,
    name: ctx.params.name ?? null,
  };
  let reply: Reply;
  try {
    reply = await run();
  } catch (err) {
    const scope = what.scope ?? (ctx.query as { scope?: string }).scope ?? null;
    await ctx.client.audit.append({ ...what, scope, outcome: auditOutcome(err) });
    throw err;
  }
  const version = (reply.body as { version?: unknown } | undefined)?.version;
  await ctx.client.audit.append({
    ...what,
    scope: what.scope ?? (ctx.query as { scope?: string }).scope ?? null,
    version: typeof version === "number" ? version : null,
    outcome: "ok",
  });
  return reply;
}

function auditOutcome(err: unknown): Outcome {
  if (!(err instanceof ApiError)) return outcomeOf(err);
  if (err.status === 403) return "denied";
  if (err.status === 423) return "locked";
  if (err.status === 404) return "not_found";
  return "error";
}
