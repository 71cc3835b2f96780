// Secrets over HTTP: a listing with masked previews, and get / put / delete of
// one secret. 423 while the vault is locked; every call lands in the audit
// trail (server.ts), without its value.

import * as v from "valibot";
import { ExitCode } from "../../errors.ts";
import { allows } from "../../state/keys/rules.ts";
import { checkName, checkScope } from "../../vault/names.ts";
import { maskedPreview } from "../../vault/preview.ts";
import type { Vault } from "../../vault/vault.ts";
import { ApiError, refuse } from "../api-error.ts";
import { needs } from "../needs.ts";
import { type RouteContext, route } from "../route.ts";
import { queryInt, text } from "../schemas.ts";

function unlocked(ctx: RouteContext): Vault {
  if (ctx.vault) return ctx.vault;
  throw new ApiError(
    423,
    "vault_locked",
    ExitCode.auth,
    "the vault is locked",
    "start coffer serve with --passphrase-file, --passphrase-fd, COFFER_PASSPHRASE_FILE or COFFER_PASSPHRASE",
  );
}

/** The path's scope and name, checked as the CLI checks them. */
function target(ctx: RouteContext): { scope: string; name: string } {
  return { scope: checkScope(ctx.params.scope ?? ""), name: checkName(ctx.params.name ?? "") };
}

export const list = route("GET", "/v1/secrets", {
  summary: "Secret names, scopes, masked previews and versions (no values)",
  right: needs.secretsListing,
  audit: "list",
  query: v.strictObject({ scope: v.optional(text(128)) }),
  responses: { 200: "an array of `{ name, scope, preview, version, updatedAt }`" },
  async handler(ctx) {
    const scope = ctx.query.scope === undefined ? undefined : checkScope(ctx.query.scope);
    const rules = ctx.key?.rules ?? [];
    const decoder = new TextDecoder();
    const rows = (await unlocked(ctx).current(scope))
      .filter((s) => allows(rules, { area: "secrets", scope: s.scope, write: false }))
      .map((s) => ({
        name: s.name,
        scope: s.scope,
        preview: maskedPreview(decoder.decode(s.value)),
        version: s.version,
        updatedAt: s.createdAt,
      }));
    return { status: 200, body: rows };
  },
});

export const get = route("GET", "/v1/secrets/{scope}/{name}", {
  summary: "One secret's value: `value` when it is UTF-8, else `valueBase64`",
  right: needs.secretsRead,
  audit: "get",
  query: v.strictObject({ version: v.optional(queryInt) }),
  responses: { 200: "`{ name, scope, version, value }` or `{ …, valueBase64 }`" },
  async handler(ctx) {
    const { scope, name } = target(ctx);
    const secret = await unlocked(ctx).get(name, scope, ctx.query.version);
    const base = { name, scope, version: secret.version };
    try {
      const value = new TextDecoder("utf-8", { fatal: true }).decode(secret.value);
      return { status: 200, body: { ...base, value } };
    } catch {
      return {
        status: 200,
        body: { ...base, valueBase64: Buffer.from(secret.value).toString("base64") },
      };
    }
  },
});

export const put = route("PUT", "/v1/secrets/{scope}/{name}", {
  summary: "Store a new version of a secret: `value` (UTF-8) or `valueBase64`",
  right: needs.secrets,
  audit: "set",
  body: v.strictObject({
    value: v.optional(v.string()),
    valueBase64: v.optional(v.pipe(v.string(), v.maxLength(2 * 1024 * 1024))),
  }),
  responses: { 200: "`{ name, scope, version }`" },
  async handler(ctx) {
    const { scope, name } = target(ctx);
    const vault = unlocked(ctx);
    const { value, valueBase64 } = ctx.body;
    if ((value === undefined) === (valueBase64 === undefined)) {
      throw refuse.badRequest("give exactly one of value and valueBase64");
    }
    const bytes =
      value !== undefined ? new TextEncoder().encode(value) : decodeBase64(valueBase64 ?? "");
    if (bytes.length === 0) throw refuse.badRequest("the value is empty");
    const version = await vault.set(name, bytes, scope);
    return { status: 200, body: { name, scope, version } };
  },
});

export const remove = route("DELETE", "/v1/secrets/{scope}/{name}", {
  summary: "Delete a secret with all its versions",
  right: needs.secrets,
  audit: "rm",
  responses: { 204: "deleted" },
  async handler(ctx) {
    const { scope, name } = target(ctx);
    await unlocked(ctx).remove(name, scope);
    return { status: 204 };
  },
});

function decodeBase64(text: string): Uint8Array {
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(text) || text.length % 4 !== 0) {
    throw refuse.badRequest("valueBase64 is not base64");
  }
  return new Uint8Array(Buffer.from(text, "base64"));
}
