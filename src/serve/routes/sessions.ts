// Sessions and their messages: the library's Sessions and Messages over HTTP,
// with the CLI's filters and cursor for the listing.

import * as v from "valibot";
import { ROLES } from "../../state/messages/rules.ts";
import { refuse } from "../api-error.ts";
import { needs } from "../needs.ts";
import { route } from "../route.ts";
import { int, json, queryInt, text } from "../schemas.ts";

const read = needs.sessionsRead;
const write = needs.sessions;
/** A time to live in milliseconds, as the library's ttlMs. */
const ttl = v.optional(v.nullable(int(1, 100 * 365 * 86_400_000)));

export const create = route("POST", "/v1/sessions", {
  summary: "Create a session (`ttl` in milliseconds)",
  right: write,
  body: v.strictObject({
    id: v.optional(text()),
    channel: v.optional(text()),
    userId: v.optional(v.nullable(text())),
    agent: v.optional(v.nullable(text(64))),
    state: v.optional(text()),
    metadata: v.optional(v.nullable(json)),
    ttl,
  }),
  responses: { 201: "the session" },
  async handler({ client, body }) {
    const { ttl: ttlMs, ...rest } = body;
    const session = await client.sessions.create({ ...rest, ttlMs } as never);
    return { status: 201, body: session };
  },
});

export const list = route("GET", "/v1/sessions", {
  summary:
    "Sessions, newest first: `agent`, `state`, `where=KEY=VALUE` (repeatable), `limit`, `after` (a page's `next`)",
  right: read,
  query: v.strictObject({
    agent: v.optional(text(64)),
    state: v.optional(text()),
    where: v.optional(v.union([text(), v.array(text())])),
    limit: v.optional(queryInt),
    after: v.optional(text(1024)),
    offset: v.optional(queryInt),
  }),
  responses: { 200: "`{ sessions, next }`: pass `next` as `after` for the next page" },
  async handler({ client, query }) {
    const { where, ...rest } = query;
    const page = await client.sessions.page({ ...rest, where: whereOf(where) });
    return { status: 200, body: page };
  },
});

/** `where=team=a&where=n=3` as { team: "a", n: "3" }. */
function whereOf(raw: string | string[] | undefined): Record<string, string> | undefined {
  if (raw === undefined) return undefined;
  const out: Record<string, string> = {};
  for (const pair of Array.isArray(raw) ? raw : [raw]) {
    const eq = pair.indexOf("=");
    if (eq < 1) throw refuse.badRequest("where must be KEY=VALUE");
    out[pair.slice(0, eq)] = pair.slice(eq + 1);
  }
  return out;
}

export const show = route("GET", "/v1/sessions/{id}", {
  summary: "One session",
  right: read,
  responses: { 200: "the session" },
  async handler({ client, params }) {
    return { status: 200, body: await client.sessions.require(params.id ?? "") };
  },
});

export const update = route("PATCH", "/v1/sessions/{id}", {
  summary:
    "Change a session's state, metadata (null clears it) or time to live (ms; null clears it)",
  right: write,
  body: v.strictObject({ state: v.optional(text()), metadata: v.optional(v.nullable(json)), ttl }),
  responses: { 200: "the session" },
  async handler({ client, params, body }) {
    const { ttl: ttlMs, ...rest } = body;
    const changes = ttlMs === undefined ? rest : { ...rest, ttlMs };
    return { status: 200, body: await client.sessions.update(params.id ?? "", changes as never) };
  },
});

export const remove = route("DELETE", "/v1/sessions/{id}", {
  summary: "Delete a session and its messages",
  right: write,
  responses: { 204: "deleted" },
  async handler({ client, params }) {
    await client.sessions.delete(params.id ?? "");
    return { status: 204 };
  },
});

export const fork = route("POST", "/v1/sessions/{id}/fork", {
  summary: "A new session with this one's messages (up to message `at`)",
  right: write,
  body: v.strictObject({ at: v.optional(int(1, Number.MAX_SAFE_INTEGER)) }),
  responses: { 201: "the new session" },
  async handler({ client, params, body }) {
    return { status: 201, body: await client.sessions.fork(params.id ?? "", body) };
  },
});

export const append = route("POST", "/v1/sessions/{id}/messages", {
  summary: "Append a message to a session",
  right: write,
  body: v.strictObject({
    role: v.picklist(ROLES),
    content: v.string(),
    tokenCount: v.optional(v.nullable(int(0, Number.MAX_SAFE_INTEGER))),
    metadata: v.optional(v.nullable(json)),
  }),
  responses: { 201: "the message" },
  async handler({ client, params, body }) {
    return { status: 201, body: await client.messages.append(params.id ?? "", body as never) };
  },
});

export const messages = route("GET", "/v1/sessions/{id}/messages", {
  summary: "A session's messages, oldest first (`last` N, or `after` an id, `limit`, `offset`)",
  right: read,
  query: v.strictObject({
    last: v.optional(queryInt),
    after: v.optional(queryInt),
    limit: v.optional(queryInt),
    offset: v.optional(queryInt),
  }),
  responses: { 200: "an array of messages" },
  async handler({ client, params, query }) {
    const id = params.id ?? "";
    await client.sessions.require(id);
    const { last, ...page } = query;
    const body =
      last !== undefined
        ? await client.messages.last(id, last)
        : await client.messages.list(id, page);
    return { status: 200, body };
  },
});

export const search = route("GET", "/v1/messages/search", {
  summary: "Full-text search of messages (`q`; `session`, `agent`, `limit`)",
  right: read,
  query: v.strictObject({
    q: text(1024),
    session: v.optional(text()),
    agent: v.optional(text(64)),
    limit: v.optional(queryInt),
  }),
  responses: { 200: "an array of `{ sessionId, messageId, role, snippet }`" },
  async handler({ client, query }) {
    const { q, ...options } = query;
    return { status: 200, body: await client.messages.search(q, options) };
  },
});
