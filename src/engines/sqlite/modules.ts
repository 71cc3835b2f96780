// The state modules of the async Client on SQLite, each imported and built
// on its first use: a command loads the code of the modules it calls and no
// other (a store command's start-up follows the code it loads).

import type { Agents } from "../../state/agents/sqlite.ts";
import type { Audit } from "../../state/audit/sqlite.ts";
import type { Documents } from "../../state/documents/sqlite.ts";
import type { Keys } from "../../state/keys/sqlite.ts";
import type { Messages } from "../../state/messages/sqlite.ts";
import type { Queue } from "../../state/queue/sqlite.ts";
import type { Sessions } from "../../state/sessions/sqlite.ts";
import type { StoreCore, StoreOptions } from "../../store/core.ts";

export interface Modules {
  sessions: Sessions;
  messages: Messages;
  queue: Queue;
  agents: Agents;
  documents: Documents;
  keys: Keys;
  audit: Audit;
}

export type ModuleName = keyof Modules;

export const MODULE_NAMES: readonly ModuleName[] = [
  "sessions",
  "messages",
  "queue",
  "agents",
  "documents",
  "keys",
  "audit",
];

/** Loads (once) and returns the module `name` over `core`. */
export type LoadModule = <K extends ModuleName>(name: K) => Promise<Modules[K]>;

export function moduleLoader(core: StoreCore, options: StoreOptions): LoadModule {
  // A literal import() per module, so that the bundler gives each its own chunk.
  const build: { [K in ModuleName]: () => Promise<Modules[K]> } = {
    sessions: async () => new (await import("../../state/sessions/sqlite.ts")).Sessions(core),
    messages: async () => new (await import("../../state/messages/sqlite.ts")).Messages(core),
    queue: async () => new (await import("../../state/queue/sqlite.ts")).Queue(core, options.queue),
    agents: async () => new (await import("../../state/agents/sqlite.ts")).Agents(core),
    documents: async () => new (await import("../../state/documents/sqlite.ts")).Documents(core),
    keys: async () => new (await import("../../state/keys/sqlite.ts")).Keys(core),
    audit: async () => new (await import("../../state/audit/sqlite.ts")).Audit(core),
  };
  const loaded = new Map<ModuleName, Promise<unknown>>();
  return <K extends ModuleName>(name: K) => {
    let module = loaded.get(name);
    if (module === undefined) {
      module = build[name]();
      loaded.set(name, module);
    }
    return module as Promise<Modules[K]>;
  };
}
