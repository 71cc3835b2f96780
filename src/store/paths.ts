// Where the store lives: --db, then COFFER_DB, then config, then the XDG default.

import { join } from "node:path";

export type Env = Readonly<Record<string, string | undefined>>;

/** `$XDG_DATA_HOME/coffer/coffer.db`, falling back to `~/.local/share`. */
export function defaultDatabasePath(env: Env): string {
  const dataHome = env.XDG_DATA_HOME || join(env.HOME || "/", ".local", "share");
  return join(dataHome, "coffer", "coffer.db");
}

export interface PathSources {
  flag?: string | undefined;
  configured?: string | undefined;
  env: Env;
}

export function resolveDatabasePath({ flag, configured, env }: PathSources): string {
  return flag || env.COFFER_DB || configured || defaultDatabasePath(env);
}
