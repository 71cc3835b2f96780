// The async faces of the SQLite client's modules: each method a promise that
// runs through the client's turn (its mutex) or a transaction's, the modules
// loaded on first use, and the few calls that must not hold a turn.

import type { Async, ClientTx } from "../../client.ts";
import type { Via } from "../../state/queue/sqlite-work.ts";
import type { StoreCore } from "../../store/core.ts";
import type { ClientVault } from "../../vault/client-vault.ts";
import type { LoadModule, ModuleName, Modules } from "./modules.ts";

type Op = (...args: unknown[]) => unknown;
/** How a call runs: in the client's turn, or directly inside a transaction. */
type Run = (run: () => unknown) => Promise<unknown>;

/** A proxy of `target` whose every method runs through `via` and returns a promise. */
export function wrap<T extends object>(target: T, via: Run): Async<T> {
  return new Proxy(target, {
    get(obj, key) {
      const value = Reflect.get(obj, key);
      if (typeof value !== "function" || typeof key === "symbol") return undefined;
      return (...args: unknown[]) => via(() => (value as Op).apply(obj, args));
    },
  }) as unknown as Async<T>;
}

/**
 * Module `name`'s methods, each run through `via` with the module loaded
 * inside its turn, so that calls keep the order they were made in. Every key
 * reads as a method until the module is there; `then` does not, so that the
 * proxy is not mistaken for a promise.
 */
export function lazy<K extends ModuleName>(load: LoadModule, name: K, via: Run): Async<Modules[K]> {
  return new Proxy(
    {},
    {
      get(_, key) {
        if (typeof key === "symbol" || key === "then" || key === "toJSON") return undefined;
        return (...args: unknown[]) =>
          via(async () => {
            const module = await load(name);
            const value = Reflect.get(module, key);
            if (typeof value !== "function") {
              throw new TypeError(`client.${name}.${key} is not a function`);
            }
            return (value as Op).apply(module, args);
          });
      },
    },
  ) as Async<Modules[K]>;
}

/**
 * The queue, with its two long-running calls kept out of the mutex: work()
 * and waitForJobs() take a turn for each store call, not one for their whole run.
 */
export function lazyQueue(store: StoreCore, load: LoadModule, via: Run): ClientTx["queue"] {
  const base = lazy(load, "queue", via);
  const each = via as Via;
  const worker = () => Promise.all([load("queue"), import("../../state/queue/sqlite-work.ts")]);
  const long: Partial<ClientTx["queue"]> = {
    work: async (queue, handler, options = {}) => {
      const [module, { workOn }] = await worker();
      return workOn(store, module, queue, handler, options, each);
    },
    waitForJobs: async (queues, options = {}) => {
      const [module, { waitOn }] = await worker();
      return waitOn(store, module, queues, options, each);
    },
  };
  return new Proxy(base, {
    get: (obj, key) => (key in long ? long[key as keyof typeof long] : Reflect.get(obj, key)),
  });
}

/** The keys; version() reads one pragma and needs no turn: a key check per request stays cheap. */
export function lazyKeys(load: LoadModule, via: Run): ClientTx["keys"] {
  const base = lazy(load, "keys", via);
  const version = async () => (await load("keys")).version();
  return new Proxy(base, {
    get: (obj, key) => (key === "version" ? version : Reflect.get(obj, key)),
  });
}

/** The vault, its modules loaded on first use: a queue or session command never pays for them. */
export function lazyVault(load: () => Promise<ClientVault>): ClientVault {
  let loaded: Promise<ClientVault> | undefined;
  const vault = () => {
    loaded ??= load();
    return loaded;
  };
  return {
    exists: async () => (await vault()).exists(),
    create: async (passphrase, params, options) =>
      (await vault()).create(passphrase, params, options),
    unlock: async (passphrase, options) => (await vault()).unlock(passphrase, options),
    inspect: async (options) => (await vault()).inspect(options),
  };
}
