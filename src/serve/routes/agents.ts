// Agents and their documents over HTTP (SPEC §11): the library's Agents and
// Documents; removing an agent takes its secrets too, which needs the vault
// and the right to its scope.

import * as v from "valibot";
import { AuthError } from "../../errors.ts";
import { removeAgent } from "../../remove-agent.ts";
import { AGENT_STATUSES } from "../../state/agents/rules.ts";
import { checkRight } from "../auth.ts";
import { needs } from "../needs.ts";
import { route } from "../route.ts";
import { json, queryInt, text } from "../schemas.ts";

const read = needs.agentsRead;
const write = needs.agents;

const Fields = {
  name: v.optional(text()),
  description: v.optional(v.pipe(v.string(), v.maxLength(4096))),
  status: v.optional(v.picklist(AGENT_STATUSES)),
  metadata: v.optional(v.nullable(json)),
};

export const create = route("POST", "/v1/agents", {
  summary: "Create an agent",
  right: write,
  body: v.strictObject({ slug: text(64), ...Fields }),
  responses: { 201: "the agent" },
  async handler({ client, body }) {
    return { status: 201, body: await client.agents.create(body as never) };
  },
});

export const list = route("GET", "/v1/agents", {
  summary: "Agents (`status`)",
  right: read,
  query: v.strictObject({ status: v.optional(v.picklist(AGENT_STATUSES)) }),
  responses: { 200: "an array of agents" },
  async handler({ client, query }) {
    return { status: 200, body: await client.agents.list(query) };
  },
});

export const show = route("GET", "/v1/agents/{slug}", {
  summary: "One agent",
  right: read,
  responses: { 200: "the agent" },
  async handler({ client, params }) {
    return { status: 200, body: await client.agents.require(params.slug ?? "") };
  },
});

export const update = route("PATCH", "/v1/agents/{slug}", {
  summary: "Change an agent's name, description, status or metadata (null clears it)",
  right: write,
  body: v.strictObject(Fields),
  responses: { 200: "the agent" },
  async handler({ client, params, body }) {
    return { status: 200, body: await client.agents.update(params.slug ?? "", body as never) };
  },
});

export const remove = route("DELETE", "/v1/agents/{slug}", {
  summary:
    "Remove an agent with its documents, sessions, messages and the secrets of its scope (those need `secrets:{slug}` and the vault)",
  right: write,
  responses: { 200: "`{ slug, sessions, messages, documents, secrets }`" },
  async handler({ client, vault, key, params }) {
    const slug = params.slug ?? "";
    const plain = await removeAgent(client, slug).catch((err: unknown) => {
      if (err instanceof AuthError) return undefined;
      throw err;
    });
    if (plain) return { status: 200, body: { slug, ...plain } };
    // Its scope holds secrets: removing them needs that right, and the unlocked vault (else 423).
    if (key) checkRight(key, { area: "secrets", scope: slug, write: true });
    const removed = await removeAgent(client, slug, { vault });
    return { status: 200, body: { slug, ...removed } };
  },
});

export const putDoc = route("PUT", "/v1/agents/{slug}/docs/{name}", {
  summary: "Store a new version of an agent's document (none when the content is unchanged)",
  right: write,
  body: v.strictObject({
    content: v.string(),
    message: v.optional(v.pipe(v.string(), v.maxLength(4096))),
  }),
  responses: { 200: "`{ document, created }`" },
  async handler({ client, params, body }) {
    const options = body.message === undefined ? {} : { message: body.message };
    const put = await client.documents.put(
      params.slug ?? "",
      params.name ?? "",
      body.content,
      options,
    );
    return { status: 200, body: put };
  },
});

export const getDoc = route("GET", "/v1/agents/{slug}/docs/{name}", {
  summary: "An agent's document, the latest version or `version`",
  right: read,
  query: v.strictObject({ version: v.optional(queryInt) }),
  responses: { 200: "the document with its content" },
  async handler({ client, params, query }) {
    const doc = await client.documents.get(params.slug ?? "", params.name ?? "", query);
    return { status: 200, body: doc };
  },
});

export const docHistory = route("GET", "/v1/agents/{slug}/docs/{name}/history", {
  summary: "The versions of an agent's document, without content",
  right: read,
  responses: { 200: "an array of versions" },
  async handler({ client, params }) {
    return {
      status: 200,
      body: await client.documents.history(params.slug ?? "", params.name ?? ""),
    };
  },
});

export const docs = route("GET", "/v1/agents/{slug}/docs", {
  summary: "An agent's documents, their latest versions",
  right: read,
  responses: { 200: "an array of versions" },
  async handler({ client, params }) {
    return { status: 200, body: await client.documents.list(params.slug ?? "") };
  },
});
