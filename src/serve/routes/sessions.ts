// Sessions and their messages: the library's Sessions and Messages over HTTP.

import * as v from "valibot";
import { ROLES } from "../../state/messages/rules.ts";
import { needs } from "../needs.ts";
import { route } from "../route.ts";
import { int, json, queryInt, text } from "../schemas.ts";

const read = needs.sessionsRead;
const write = needs.sessions;

const NewSession = v.strictObject({
  id: v.optional(text()),
  channel: v.optional(text()),
  userId: v.optional(v.nullable(text())),
  state: v.optional(text()),
  metadata: v.optional(v.nullable(json)),
});

export const create = route("POST", "/v1/sessions", {
  summary: "Create a session",
  right: write,
  body: NewSession,
  responses: { 201: "the session" },
  async handler({ client, body }) {
    return { status: 201, body: await client.sessions.create(body as never) };
  },
});

export const list = route("GET", "/v1/sessions", {
  summary: "Sessions, newest first (`state`, `limit`, `offset` as the CLI)",
  right: read,
  query: v.strictObject({
    state: v.optional(text()),
    limit: v.optional(queryInt),
    offset: v.optional(queryInt),
  }),
  responses: { 200: "an array of sessions" },
  async handler({ client, query }) {
    return { status: 200, body: await client.sessions.list(query) };
  },
});

export const show = route("GET", "/v1/sessions/{id}", {
  summary: "One session",
  right: read,
  responses: { 200: "the session" },
  async handler({ client, params }) {
    return { status: 200, body: await client.sessions.require(params.id ?? "") };
  },
});

export const update = route("PATCH", "/v1/sessions/{id}", {
  summary: "Change a session's state",
  right: write,
  body: v.strictObject({ state: text() }),
  responses: { 200: "the session" },
  async handler({ client, params, body }) {
    return { status: 200, body: await client.sessions.updateState(params.id ?? "", body.state) };
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
  summary: "A session's messages, oldest first (`last` N, or `limit`/`offset`)",
  right: read,
  query: v.strictObject({
    last: v.optional(queryInt),
    limit: v.optional(queryInt),
    offset: v.optional(queryInt),
  }),
  responses: { 200: "an array of messages" },
  async handler({ client, params, query }) {
    const id = params.id ?? "";
    await client.sessions.require(id);
    const body =
      query.last !== undefined
        ? await client.messages.last(id, query.last)
        : await client.messages.list(id, { limit: query.limit, offset: query.offset } as never);
    return { status: 200, body };
  },
});
