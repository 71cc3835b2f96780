// A Store is one open coffer file: one connection per process, every write
// through writeTransaction, closed with a TRUNCATE checkpoint. Each state
// module is a property, built with the Store (the API is synchronous).

import { Agents } from "../state/agents/sqlite.ts";
import { Audit } from "../state/audit/sqlite.ts";
import { Documents } from "../state/documents/sqlite.ts";
import { Keys } from "../state/keys/sqlite.ts";
import { Messages } from "../state/messages/sqlite.ts";
import { Queue } from "../state/queue/sqlite.ts";
import { Sessions } from "../state/sessions/sqlite.ts";
import { StoreCore, type StoreOptions } from "./core.ts";
import { acquireDatabase, type Lease } from "./shared.ts";

export type { StoreOptions };

export class Store extends StoreCore {
  readonly sessions: Sessions;
  readonly messages: Messages;
  readonly queue: Queue;
  readonly agents: Agents;
  readonly documents: Documents;
  readonly keys: Keys;
  readonly audit: Audit;

  constructor(lease: Lease, options: StoreOptions) {
    super(lease, options);
    this.sessions = new Sessions(this);
    this.messages = new Messages(this);
    this.queue = new Queue(this, options.queue);
    this.agents = new Agents(this);
    this.documents = new Documents(this);
    this.keys = new Keys(this);
    this.audit = new Audit(this);
  }
}

export function openStore(options: StoreOptions): Store {
  return new Store(acquireDatabase(options), options);
}
