// coffer serve's part of the Client script: API keys and the audit trail.
// The key itself and the row hashes differ between runs: shown by shape.

import type { ClientTx } from "../../src/index.ts";
import { hashKey } from "../../src/state/keys/rules.ts";

type Step = (p: unknown) => Promise<unknown>;

export async function serveScript(api: ClientTx, out: unknown[], step: Step): Promise<void> {
  const { keys, audit } = api;
  const made = await keys.create({
    name: "agent",
    rules: ["sessions", "queue:q*"],
    expiresIn: 60_000,
  });
  out.push({ key: /^cfk_[\w-]{43}$/.test(made.key), info: made.info });
  await step((async () => keys.create({ name: "agent" }))());
  const found = await keys.find(hashKey(made.key));
  out.push({
    name: found?.key.name,
    rules: found?.key.rules,
    live: (found?.key.expiresAt ?? 0) > (found?.now ?? 0),
  });
  await step(keys.find(hashKey("cfk_nothing")));
  await step(keys.touch("agent"));
  await step(keys.list());
  // What it counts differs by engine (data_version, a NOTIFY counter): only its type is shared.
  out.push(typeof (await keys.version()));
  await step(keys.remove("agent"));
  await step((async () => keys.remove("agent"))());
  // The audit trail: hashes depend on the clock, so only their shape and the chain's verdict.
  const row = await audit.append({
    actor: "cli",
    action: "get",
    scope: "global",
    name: "A",
    version: 1,
    outcome: "ok",
  });
  out.push({ ...row, at: typeof row.at, hash: row.hash.length, prevHash: row.prevHash });
  await audit.append({ actor: "k", action: "set", scope: "s", name: "B", outcome: "denied" });
  out.push(
    (await audit.list({ limit: 10 })).map(({ hash, prevHash, at, ...r }) => ({
      ...r,
      at: typeof at,
      linked: hash.length === 64 && prevHash.length === 64,
    })),
  );
  const check = await audit.verify();
  out.push({ ...check, head: check.ok ? check.head.length : 0 });
  await step((async () => audit.append({ actor: "", action: "get", outcome: "ok" }))());
}
