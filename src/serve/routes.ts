// The route table: every route of the API, one entry each, in the order the
// OpenAPI document lists them. A new route is a route(...) in routes/ and a line here.

import { needs } from "./needs.ts";
import { openApiDocument } from "./openapi.ts";
import { type Route, route } from "./route.ts";
import * as agents from "./routes/agents.ts";
import * as queue from "./routes/queue.ts";
import * as upkeep from "./routes/queue-admin.ts";
import * as secrets from "./routes/secrets.ts";
import * as sessions from "./routes/sessions.ts";
import * as system from "./routes/system.ts";

const openapi = route("GET", "/v1/openapi.json", {
  summary: "This API as an OpenAPI 3.1 document",
  right: needs.anyRule,
  responses: { 200: "the document" },
  async handler() {
    return { status: 200, body: openApiDocument(routes) };
  },
});

export const routes: readonly Route[] = [
  system.health,
  openapi,
  system.status,
  sessions.create,
  sessions.list,
  sessions.show,
  sessions.update,
  sessions.remove,
  sessions.fork,
  sessions.append,
  sessions.messages,
  sessions.search,
  agents.create,
  agents.list,
  agents.show,
  agents.update,
  agents.remove,
  agents.docs,
  agents.putDoc,
  agents.getDoc,
  agents.docHistory,
  queue.push,
  queue.claim,
  queue.ack,
  queue.fail,
  queue.extend,
  queue.stats,
  queue.jobs,
  upkeep.retry,
  upkeep.retryAll,
  upkeep.purge,
  upkeep.schedules,
  upkeep.putSchedule,
  upkeep.removeSchedule,
  secrets.list,
  secrets.get,
  secrets.put,
  secrets.remove,
];
