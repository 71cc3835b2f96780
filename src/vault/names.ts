// What a secret's name, scope and value may be: names double as environment
// variable names (coffer run, .env export), scopes as agent or bot ids.

import { UsageError } from "../errors.ts";
import { DEFAULT_SCOPE, MAX_VALUE_BYTES } from "./format.ts";

export interface NewSecret {
  name: string;
  scope?: string | undefined;
  value: Uint8Array;
}

const NAME = /^[A-Za-z_][A-Za-z0-9_]{0,127}$/;
const SCOPE = /^[A-Za-z0-9][A-Za-z0-9_.:-]{0,127}$/;

export function checkName(name: string): string {
  if (!NAME.test(name)) {
    throw new UsageError(`invalid secret name '${shownName(name)}'`, {
      hint: "use letters, digits and _ (starting with a letter or _), as for an environment variable",
    });
  }
  return name;
}

/**
 * A refused name as an error may show it: `NAME=VALUE` typed by mistake keeps
 * only `NAME=…` (the value is never echoed), and at most 64 characters.
 */
export function shownName(name: string): string {
  const eq = name.indexOf("=");
  const head = eq === -1 ? name : name.slice(0, eq);
  const chars = Array.from(head);
  const shown = chars.length > 64 ? `${chars.slice(0, 64).join("")}…` : head;
  return eq === -1 ? shown : `${shown}=…`;
}

export function checkScope(scope: string): string {
  if (!SCOPE.test(scope)) {
    throw new UsageError(`invalid scope '${scope.slice(0, 64)}'`, {
      hint: "use letters, digits, _ . : - (starting with a letter or digit)",
    });
  }
  return scope;
}

/**
 * Checks what a write would store, all of it, before anything is sealed or
 * created: a refused first `set` must not leave a vault behind.
 */
export function checkNewSecrets(items: readonly NewSecret[]): Required<NewSecret>[] {
  return items.map((item) => {
    const name = checkName(item.name);
    if (item.value.length > MAX_VALUE_BYTES) {
      throw new UsageError(`the value of ${name} is larger than ${MAX_VALUE_BYTES} bytes`);
    }
    return { name, scope: checkScope(item.scope ?? DEFAULT_SCOPE), value: item.value };
  });
}
