// The migrations this binary carries, inlined at build time: the compiled
// executable never reads a migrations folder at run time.

import init from "../../migrations/0001_init.sql" with { type: "text" };
import vault from "../../migrations/0002_vault.sql" with { type: "text" };
import agents from "../../migrations/0003_agents.sql" with { type: "text" };
import queueWorkers from "../../migrations/0004_queue_workers.sql" with { type: "text" };
import apiKeys from "../../migrations/0005_api_keys.sql" with { type: "text" };
import audit from "../../migrations/0006_audit.sql" with { type: "text" };
import jobsLive from "../../migrations/0007_jobs_live.sql" with { type: "text" };

export interface Migration {
  version: number;
  name: string;
  sql: string;
}

export const migrations: readonly Migration[] = [
  { version: 1, name: "init", sql: init },
  { version: 2, name: "vault", sql: vault },
  { version: 3, name: "agents", sql: agents },
  { version: 4, name: "queue_workers", sql: queueWorkers },
  { version: 5, name: "api_keys", sql: apiKeys },
  { version: 6, name: "audit", sql: audit },
  { version: 7, name: "jobs_live", sql: jobsLive },
];

export const latestVersion = migrations.length;
