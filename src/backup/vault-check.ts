// The vault part of verify and restore. SEAM: the vault (src/vault/) has not
// landed on this branch yet; until it does, a coffer file has no vault tables
// (the schema check refuses any table coffer's migrations did not create), so
// there is nothing to check here. Wire inspectVault(db) in when it lands.

import type { Database } from "bun:sqlite";

export interface VaultCheck {
  present: boolean;
  detail: string;
}

export function checkVault(_db: Database): VaultCheck {
  return { present: false, detail: "no vault in this coffer version" };
}
