// A fresh store in a temp dir, with a clock the test moves by hand.

import { join } from "node:path";
import { openStore, type Store, type StoreOptions } from "../../src/index.ts";
import { tempDir } from "./tmp.ts";

export interface TestStore {
  store: Store;
  path: string;
  clock: { now: number; advance(ms: number): void };
}

export function testStore(options: Partial<StoreOptions> = {}): TestStore {
  const path = join(tempDir(), "coffer.db");
  const clock = {
    now: 1_700_000_000_000,
    advance(ms: number) {
      clock.now += ms;
    },
  };
  const store = openStore({ path, now: () => clock.now, ...options });
  return { store, path, clock };
}
