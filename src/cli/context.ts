// What every command of one invocation shares: the global flags, the
// environment and the config, read once, and how to open the store.

import { type LoadedConfig, loadConfig } from "../config.ts";
import { type Env, resolveDatabasePath } from "../store/paths.ts";
import { openStore, type Store } from "../store/store.ts";
import type { Globals } from "./argv.ts";
import { redactor, say } from "./output.ts";

export interface Context {
  globals: Globals;
  env: Env;
}

let current: Context = { globals: { json: false, verbose: false, version: false }, env: {} };
let config: LoadedConfig | undefined;

export function setContext(next: Context): void {
  current = next;
  config = undefined;
}

export function context(): Context {
  return current;
}

export function loadedConfig(): LoadedConfig {
  config ??= loadConfig(current.globals.config, current.env);
  return config;
}

export function storePath(): string {
  return resolveDatabasePath({
    flag: current.globals.db,
    configured: loadedConfig().config.storage?.database_path,
    env: current.env,
  });
}

/** Opens (creating if needed) the store this invocation points at. */
export function openCliStore(options: { create?: boolean } = {}): Store {
  const storage = loadedConfig().config.storage;
  return openStore({
    path: storePath(),
    create: options.create ?? true,
    synchronous: storage?.synchronous,
    busyTimeoutMs: storage?.busy_timeout_ms,
    onWarning: say.warn,
    // Messages and job errors are stored masked, as they would be printed.
    redact: (text) => redactor.redact(text),
  });
}
