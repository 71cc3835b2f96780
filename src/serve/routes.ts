// The route table: every route of the API, one entry each, in the order the
// OpenAPI document lists them. A new route is a route(...) in routes/ and a line here.

import type { Route } from "./route.ts";
import * as queue from "./routes/queue.ts";
import * as sessions from "./routes/sessions.ts";
import * as system from "./routes/system.ts";

export const routes: readonly Route[] = [
  system.health,
  system.status,
  sessions.create,
  sessions.list,
  sessions.show,
  sessions.update,
  sessions.remove,
  sessions.append,
  sessions.messages,
  queue.push,
  queue.claim,
  queue.ack,
  queue.fail,
  queue.extend,
  queue.stats,
  queue.jobs,
];
