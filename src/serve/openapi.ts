// The OpenAPI 3.1 document of the route table, and docs/api.md made from it:
// both come from routes.ts, so neither can drift from what the server does.

import { version } from "../../package.json" with { type: "json" };
import { type JsonSchema, toJsonSchema } from "./json-schema.ts";
import { describeNeed } from "./needs.ts";
import type { Route } from "./route.ts";

const ERROR_SCHEMA = {
  type: "object",
  required: ["error"],
  properties: {
    error: {
      type: "object",
      required: ["code", "exit", "message"],
      properties: {
        code: { type: "string", description: "not_found, unauthorized, forbidden, conflict, …" },
        exit: {
          type: "integer",
          description: "the CLI's exit code for the same failure (SPEC §7)",
        },
        message: { type: "string" },
        hint: { type: "string" },
      },
    },
  },
};

/** The failures every route may answer with, besides its own successes. */
export const ERROR_STATUSES: Record<number, string> = {
  400: "invalid request: a field, a query parameter or the JSON itself",
  401: "no key, a wrong key, or an expired one",
  403: "the key lacks the right; or the request carried an Origin header",
  404: "no such route, session, job or secret",
  409: "conflict: the job is not (or no longer) held with that token",
  413: "the body is larger than 2 MiB",
  415: "the body is not application/json",
  421: "the Host header names another server",
  423: "the vault is locked (secret routes)",
  500: "internal error, or tampered data",
  503: "the server is shutting down",
  507: "the store's disk is full or read-only",
};

export function openApiDocument(routes: readonly Route[]): JsonSchema {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const r of routes) {
    paths[r.path] ??= {};
    (paths[r.path] as Record<string, unknown>)[r.method.toLowerCase()] = operation(r);
  }
  return {
    openapi: "3.1.0",
    info: {
      title: "coffer serve",
      version,
      description: "The whole coffer store over HTTP/JSON on a Unix socket (SPEC §13).",
    },
    servers: [
      { url: "http://localhost", description: "over the Unix socket (curl --unix-socket)" },
    ],
    components: {
      securitySchemes: {
        key: { type: "http", scheme: "bearer", description: "a key from coffer key create" },
      },
      schemas: { Error: ERROR_SCHEMA },
    },
    paths,
  };
}

function operation(r: Route): JsonSchema {
  const op: JsonSchema = {
    operationId: `${r.method.toLowerCase()}${r.path.replace(/\/v1|[{}]/g, "").replace(/[/.-](\w)/g, (_, c: string) => c.toUpperCase())}`,
    summary: r.summary,
  };
  op.security = r.right ? [{ key: [] }] : [];
  if (r.right) op["x-coffer-rule"] = describeNeed(r.right).replaceAll("`", "");
  const parameters = [
    ...[...r.path.matchAll(/\{(\w+)\}/g)].map((m) => ({
      name: m[1],
      in: "path",
      required: true,
      schema: { type: "string" },
    })),
    ...queryParameters(r),
  ];
  if (parameters.length > 0) op.parameters = parameters;
  if (r.body) {
    op.requestBody = {
      required: false,
      content: { "application/json": { schema: toJsonSchema(r.body) } },
    };
  }
  const responses: Record<string, unknown> = {};
  for (const [status, text] of Object.entries(r.responses)) {
    responses[status] =
      status === "204"
        ? { description: text }
        : { description: text, content: { "application/json": {} } };
  }
  responses.default = {
    description: "an error",
    content: { "application/json": { schema: { $ref: "#/components/schemas/Error" } } },
  };
  op.responses = responses;
  return op;
}

function queryParameters(r: Route): JsonSchema[] {
  if (!r.query) return [];
  const schema = toJsonSchema(r.query) as { properties: Record<string, JsonSchema> };
  return Object.entries(schema.properties).map(([name, s]) => ({
    name,
    in: "query",
    required: false,
    schema: s,
  }));
}

/** docs/api.md: the routes as a table, what each body holds, the errors, then the whole document. */
export function apiMarkdown(routes: readonly Route[]): string {
  const lines = [
    "# The coffer serve API",
    "",
    "<!-- Generated from src/serve/routes.ts by `bun scripts/api-docs.ts`; a test checks it is current. -->",
    "",
    "`coffer serve` answers HTTP/JSON on a Unix socket (0600, in a 0700 directory), and with",
    "`--listen` on TCP. Every route but `GET /v1/health` needs",
    "`Authorization: Bearer KEY` (a key from `coffer key create NAME --allow RULES`). Requests",
    "with an `Origin` header, or a `Host` other than `localhost`, `127.0.0.1`, `[::1]` or the",
    "`--listen` host, are refused. Bodies are `application/json`, at most 2 MiB. The same document",
    "is served at `GET /v1/openapi.json` (to any key with a rule). A key removed with",
    "`coffer key rm` is refused (401) from the next request on (on PostgreSQL, once its NOTIFY",
    "has reached the server: milliseconds; 1 s at most).",
    "",
    "## Routes",
    "",
    "| method | path | key rule | what it does | success |",
    "|---|---|---|---|---|",
    ...routes.map(
      (r) =>
        `| ${r.method} | \`${r.path}\` | ${r.right ? describeNeed(r.right) : "none"} | ${r.summary} | ${Object.entries(
          r.responses,
        )
          .map(([s, t]) => `${s}: ${t}`)
          .join("; ")} |`,
    ),
    "",
    "## Bodies and query parameters",
    "",
    ...routes.flatMap((r) => fieldLines(r)),
    "",
    "## Errors",
    "",
    'Every failure is `{ "error": { "code", "exit", "message", "hint"? } }`, where `exit` is the',
    "CLI's exit code for the same failure. Never a stack trace, never a secret.",
    "",
    "| status | when |",
    "|---|---|",
    ...Object.entries(ERROR_STATUSES).map(([s, t]) => `| ${s} | ${t} |`),
    "",
    "## The OpenAPI 3.1 document",
    "",
    "```json",
    JSON.stringify(openApiDocument(routes), null, 2),
    "```",
    "",
  ];
  return lines.join("\n");
}

function fieldLines(r: Route): string[] {
  const parts: string[] = [];
  for (const [what, schema] of [
    ["body", r.body],
    ["query", r.query],
  ] as const) {
    if (!schema) continue;
    const s = toJsonSchema(schema) as {
      properties: Record<string, JsonSchema>;
      required?: string[];
    };
    const fields = Object.entries(s.properties).map(([name, f]) => {
      const need = s.required?.includes(name) ? "" : "?";
      return `\`${name}${need}\` ${describeField(f)}`;
    });
    parts.push(`- \`${r.method} ${r.path}\` ${what}: ${fields.join(", ")}`);
  }
  return parts;
}

function describeField(f: JsonSchema): string {
  if (Array.isArray(f.enum)) return `(${f.enum.join(" \\| ")})`;
  if (f.type === "array" && f.items) {
    const most = f.maxItems === undefined ? "" : `, at most ${f.maxItems}`;
    return `(array of ${describeField(f.items as JsonSchema).slice(1, -1)}${most})`;
  }
  const type = Array.isArray(f.anyOf)
    ? (f.anyOf as JsonSchema[]).map((a) => a.type).join(" \\| ")
    : Array.isArray(f.type)
      ? f.type.join(" \\| ")
      : (f.type ?? "JSON");
  const range =
    f.minimum !== undefined && f.maximum !== undefined
      ? ` ${f.minimum}…${f.maximum}`
      : f.maxLength !== undefined
        ? ` ≤ ${f.maxLength} chars`
        : "";
  return `(${type}${range})`;
}
