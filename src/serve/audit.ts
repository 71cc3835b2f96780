// A secret route's outcome in the audit trail, whatever it was (SPEC §13):
// the key's name as actor, the path's scope and name, the version answered.
// Never a value: only the reply's `version` is read.

import { recorded } from "../state/audit/record.ts";
import { type Outcome, outcomeOf } from "../state/audit/rules.ts";
import { ApiError } from "./api-error.ts";
import type { Reply, RouteContext } from "./route.ts";

/** A secret route's outcome in the audit trail, whatever it was: the key's name as actor, never a value. */
export function audited(
  action: string,
  ctx: RouteContext,
  run: () => Promise<Reply>,
): Promise<Reply> {
  const what = {
    actor: ctx.key?.name ?? "anonymous",
    action,
    scope: ctx.params.scope ?? (ctx.query as { scope?: string }).scope ?? null,
    name: ctx.params.name ?? null,
  };
  return recorded(what, run, {
    append: (entry) => ctx.client.audit.append(entry),
    versionOf: (reply) => {
      const version = (reply.body as { version?: unknown } | undefined)?.version;
      return typeof version === "number" ? version : null;
    },
    outcomeOf: auditOutcome,
  });
}

function auditOutcome(err: unknown): Outcome {
  if (!(err instanceof ApiError)) return outcomeOf(err);
  if (err.status === 403) return "denied";
  if (err.status === 423) return "locked";
  if (err.status === 404) return "not_found";
  return "error";
}
