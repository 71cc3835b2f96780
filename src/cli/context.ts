// What every command of one invocation shares: the global flags, the
// environment and the config, read once, and how to open the store.

import { dirname } from "node:path";
import type { Client } from "../client.ts";
import { type LoadedConfig, readConfig } from "../config.ts";
import type { PgConnection } from "../engines/postgres/connect.ts";
import { isPostgresUrl } from "../engines/postgres/is-url.ts";
import { InternalError, UsageError } from "../errors.ts";
import { defaultDatabasePath, type Env, resolveDatabasePath } from "../store/paths.ts";
import type { Store } from "../store/store.ts";
import type { Globals } from "./argv.ts";
import { redactor, say } from "./output.ts";

export interface Context {
  globals: Globals;
  env: Env;
}

let current: Context = { globals: { json: false, verbose: false, version: false }, env: {} };
/** The config, read and parsed by loadContextConfig(), or why it could not be. */
let config: { loaded: LoadedConfig } | { failed: unknown } | undefined;
/** The command being run, "secret get" say, for messages naming it. */
let commandName = "this command";

export function setCommandName(name: string): void {
  commandName = name;
}

export function setContext(next: Context): void {
  current = next;
  config = undefined;
}

/**
 * Reads the config of this invocation ahead of the command, loading its
 * parser only when there is a file to parse. A failure is kept, not thrown:
 * it is the error of the first command that asks for the config, and of no other.
 */
export async function loadContextConfig(): Promise<void> {
  try {
    const file = readConfig(current.globals.config, current.env);
    if (file === undefined) {
      config = { loaded: { path: undefined, config: {} } };
      return;
    }
    const { parseConfig } = await import("../config-schema.ts");
    config = { loaded: { path: file.path, config: parseConfig(file.text, file.path) } };
  } catch (err) {
    config = { failed: err };
  }
}

export function context(): Context {
  return current;
}

export function loadedConfig(): LoadedConfig {
  if (config === undefined) throw new InternalError("loadContextConfig() has not run");
  if ("failed" in config) throw config.failed;
  return config.loaded;
}

export function storePath(): string {
  return resolveDatabasePath({
    flag: current.globals.db,
    configured: loadedConfig().config.storage?.database_path,
    env: current.env,
  });
}

/**
 * The store path for a command that only runs on SQLite so far: a PostgreSQL
 * URL is refused here (exit 2), before anything connects or the URL is printed.
 */
export function sqliteStorePath(): string {
  const path = storePath();
  if (isPostgresUrl(path)) {
    throw new UsageError(`${commandName} is not available on PostgreSQL yet`);
  }
  return path;
}

/** Whether this invocation's store is a PostgreSQL URL. */
export function onPostgres(): boolean {
  return isPostgresUrl(storePath());
}

/** coffer's data directory ($XDG_DATA_HOME/coffer): PostgreSQL's backups and safety copies go there. */
export function dataDir(): string {
  return dirname(defaultDatabasePath(current.env));
}

/** Connects to (and migrates) the PostgreSQL store this invocation points at; close it when done. */
export async function openCliPostgres(): Promise<PgConnection> {
  const { openPostgres } = await import("../engines/postgres/index.ts");
  return openPostgres(storePath(), {
    busyTimeoutMs: loadedConfig().config.storage?.busy_timeout_ms,
  });
}

function storeOptions() {
  const storage = loadedConfig().config.storage;
  return {
    synchronous: storage?.synchronous,
    busyTimeoutMs: storage?.busy_timeout_ms,
    onWarning: say.warn,
    // Messages and job errors are stored masked, as they would be printed.
    redact: (text: string) => redactor.redact(text),
  };
}

/** Opens (creating if needed) the SQLite store this invocation points at. */
export async function openCliStore(options: { create?: boolean } = {}): Promise<Store> {
  // Loaded here: a Store builds every state module, which a Client command need not load.
  const { openStore } = await import("../store/store.ts");
  return openStore({
    ...storeOptions(),
    path: sqliteStorePath(),
    create: options.create ?? true,
  });
}

/** Connects to the store this invocation points at, on either engine; close it when done. */
export async function openCliClient(options: { create?: boolean } = {}): Promise<Client> {
  // Loaded here, not at the top: every command (even --version) pays for what cli.ts imports.
  const { connect } = await import("../client.ts");
  return connect(storePath(), { ...storeOptions(), create: options.create ?? true });
}
