// The PostgreSQL migrations this binary carries, inlined at build time. Their
// numbers match the SQLite ones (src/store/migrations.ts): version N is the
// same schema on both engines.

import init from "../../../migrations/postgres/0001_init.sql" with { type: "text" };
import vault from "../../../migrations/postgres/0002_vault.sql" with { type: "text" };
import agents from "../../../migrations/postgres/0003_agents.sql" with { type: "text" };
import queueWorkers from "../../../migrations/postgres/0004_queue_workers.sql" with {
  type: "text",
};
import apiKeys from "../../../migrations/postgres/0005_api_keys.sql" with { type: "text" };
import audit from "../../../migrations/postgres/0006_audit.sql" with { type: "text" };
import jobsLive from "../../../migrations/postgres/0007_jobs_live.sql" with { type: "text" };
import type { Migration } from "../../store/migrations.ts";

export const pgMigrations: readonly Migration[] = [
  { version: 1, name: "init", sql: init },
  { version: 2, name: "vault", sql: vault },
  { version: 3, name: "agents", sql: agents },
  { version: 4, name: "queue_workers", sql: queueWorkers },
  { version: 5, name: "api_keys", sql: apiKeys },
  { version: 6, name: "audit", sql: audit },
  { version: 7, name: "jobs_live", sql: jobsLive },
];

export const pgLatestVersion = pgMigrations.length;
