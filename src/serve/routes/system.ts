// GET /v1/health (public), GET /v1/status (admin), GET /v1/openapi.json (public).

import { version } from "../../../package.json" with { type: "json" };
import { needs } from "../needs.ts";
import { route } from "../route.ts";

export const health = route("GET", "/v1/health", {
  summary: "Liveness: answers without a key",
  responses: { 200: "`{ ok: true, version }`" },
  async handler() {
    return { status: 200, body: { ok: true, version } };
  },
});

export const status = route("GET", "/v1/status", {
  summary: "The engine, counts of sessions and jobs by queue, and whether the vault is unlocked",
  right: needs.admin,
  responses: { 200: "`{ engine, version, sessions, queues, vault }`" },
  async handler({ client, vault }) {
    const [sessions, queues] = await Promise.all([client.sessions.count(), client.queue.stats()]);
    return {
      status: 200,
      body: {
        engine: client.engine,
        version,
        sessions,
        queues,
        vault: vault ? "unlocked" : "locked",
      },
    };
  },
});
