// coffer as a library: the public face, re-exports only.

export {
  type BackupOptions,
  type BackupProgress,
  type BackupResult,
  type BackupSink,
  backupStore,
  defaultBackupPath,
  streamBackup,
} from "./backup/backup.ts";
export { type BackupReport, type Check, reportError } from "./backup/inspect.ts";
export { type RestoreOptions, type RestoreResult, restoreStore } from "./backup/restore.ts";
export { verifyBackup } from "./backup/verify.ts";
export {
  type Async,
  type AsyncAgents,
  type AsyncDocuments,
  type AsyncMessages,
  type AsyncQueue,
  type AsyncSessions,
  type Client,
  type ClientTx,
  type ConnectOptions,
  connect,
  type Engine,
  type Transaction,
  type TransactionOptions,
} from "./client.ts";
export * from "./errors.ts";
export { classifyIp, type IpClass } from "./net/ip-class.ts";
export {
  SAFE_FETCH_DEFAULTS,
  type SafeFetchAllowedEvent,
  type SafeFetchOptions,
  safeFetch,
} from "./net/safe-fetch.ts";
export { MASK, Redactor, redactTokens } from "./redact.ts";
export { type AgentRemovalWithSecrets, removeAgent } from "./remove-agent.ts";
export { AGENT_STATUSES } from "./state/agents/rules.ts";
export type {
  Agent,
  AgentChanges,
  AgentRemoval,
  AgentStatus,
  NewAgent,
} from "./state/agents/sqlite.ts";
export type { Document, DocumentVersion, PutResult } from "./state/documents/sqlite.ts";
export type { Json } from "./state/json.ts";
export type {
  Message,
  NewMessage,
  Revision,
  Role,
  SearchHit,
  SearchOptions,
} from "./state/messages/sqlite.ts";
export { ROLES } from "./state/messages/sqlite.ts";
export type { Schedule, ScheduleSpec } from "./state/queue/schedule-rules.ts";
export type {
  EnqueueOptions,
  Job,
  JobStatus,
  LeaseOptions,
  QueueOptions,
  QueueStats,
} from "./state/queue/sqlite.ts";
export { DEFAULT_LEASE_MS, defaultBackoff, JOB_STATUSES } from "./state/queue/sqlite.ts";
export type { JobWaiter, WaitOptions } from "./state/queue/wait.ts";
export type { JobContext, JobHandler, WorkOptions, WorkResult } from "./state/queue/work.ts";
export type {
  ListSessionsOptions,
  NewSession,
  PruneOptions,
  PruneResult,
  Session,
  SessionChanges,
  SessionPage,
} from "./state/sessions/sqlite.ts";
export { APPLICATION_ID } from "./store/migrate.ts";
export { defaultDatabasePath, resolveDatabasePath } from "./store/paths.ts";
export { openStore, Store, type StoreOptions } from "./store/store.ts";
export type { ClientVault } from "./vault/client-vault.ts";
export type { KdfParams } from "./vault/format.ts";
export { inspectVault, proveUnlock, type VaultInspection } from "./vault/inspect.ts";
export { DEFAULT_KDF_PARAMS, KDF_BOUNDS } from "./vault/kdf.ts";
export { createVault, unlockVault, vaultExists } from "./vault/open.ts";
export type { NewSecret, Secret, SecretVersion, Vault, VaultOptions } from "./vault/vault.ts";
