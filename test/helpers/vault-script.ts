// For the vault conformance test: one script of every vault operation through
// client.vault, whose results (values decoded, errors by class) must be the
// same on both engines.

import type { Client } from "../../src/index.ts";
import { TEST_ONLY_KDF_BOUNDS, TEST_ONLY_KDF_PARAMS } from "../../src/vault/testing.ts";

const opts = { kdfBounds: TEST_ONLY_KDF_BOUNDS };
const bytes = (s: string) => new TextEncoder().encode(s);
const text = (b: Uint8Array) => new TextDecoder().decode(b);

/** Secrets with their values as text, so results compare plainly. */
function plain(value: unknown): unknown {
  if (value instanceof Uint8Array) return text(value);
  if (Array.isArray(value)) return value.map(plain);
  if (value && typeof value === "object") {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, plain(v)]));
  }
  return value;
}

export async function vaultScript(client: Client): Promise<unknown[]> {
  const out: unknown[] = [];
  const step = async (p: unknown) =>
    out.push(
      plain(
        await Promise.resolve()
          .then(() => p)
          .catch((e: Error) => ({ error: e.name, message: e.message })),
      ),
    );
  await step(client.vault.exists());
  await step(client.vault.inspect(opts));
  await step(client.vault.unlock("pw", opts));
  const vault = await client.vault.create("pw", TEST_ONLY_KDF_PARAMS, opts);
  await step(client.vault.create("pw", TEST_ONLY_KDF_PARAMS, opts));
  await step(client.vault.exists());
  await step(client.vault.unlock("wrong", opts));
  await step(vault.set("A", bytes("a1")));
  await step(vault.set("A", bytes("a2")));
  await step(vault.set("B", bytes("b-bot"), "bot"));
  await step(vault.get("A"));
  await step(vault.get("A", "global", 1));
  await step(vault.get("A", "global", 9));
  await step(vault.get("NOPE"));
  await step(vault.history("A"));
  await step(vault.history("NOPE"));
  await step(vault.current());
  await step(vault.current("bot"));
  // setMany: checked as a whole first, then one transaction (one generation step).
  await step(
    vault.setMany([
      { name: "X", value: bytes("x") },
      { name: "bad name", value: bytes("y") },
    ]),
  );
  await step(vault.get("X"));
  const before = await client.vault.inspect(opts);
  await step(
    vault.setMany([
      { name: "X", value: bytes("x1") },
      { name: "Y", value: bytes("y1"), scope: "bot" },
      { name: "X", value: bytes("x2") },
    ]),
  );
  const after = await client.vault.inspect(opts);
  out.push({ generationStep: gen(after) - gen(before) });
  // History keeps the newest 10 versions.
  for (let i = 1; i <= 12; i++) await vault.set("K", bytes(`k${i}`));
  await step(vault.history("K"));
  await step(vault.get("K", "global", 2));
  await step(vault.get("K", "global", 3));
  await step(vault.remove("A"));
  await step(vault.remove("A"));
  await step(vault.get("A"));
  await step(vault.rotate());
  await step(vault.current());
  await step(client.vault.unlock("pw", opts).then((v) => v.current("bot")));
  await step(vault.changePassphrase("new", TEST_ONLY_KDF_PARAMS));
  await step(client.vault.unlock("pw", opts));
  await step(client.vault.unlock("new", opts).then((v) => v.get("X")));
  await step(vault.set("Z", bytes("after passwd")));
  await step(client.vault.unlock("new", opts).then((v) => v.current()));
  await step(vault.scrubWal());
  await step(client.vault.inspect(opts));
  vault.lock();
  return out;
}

function gen(inspection: Awaited<ReturnType<Client["vault"]["inspect"]>>): number {
  return inspection.present ? inspection.generation : -1;
}
