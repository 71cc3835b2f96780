// Writes test/vectors/vault-v1.json: a small vault made once with format 1,
// dumped row by row. The file is committed and must keep decrypting in every
// future version; run this only to make a vector for a new format version.

import { join } from "node:path";
import { openStore } from "../src/store/store.ts";
import { createVault } from "../src/vault/open.ts";

const ROOT = join(import.meta.dir, "..");
const PASSPHRASE = "correct horse battery staple \u00e9t\u00e9";
const dir = (await Bun.$`mktemp -d`.text()).trim();
const store = openStore({ path: join(dir, "vector.db") });
const vault = await createVault(store, PASSPHRASE, {
  memoryKiB: 19_456,
  iterations: 2,
  parallelism: 1,
});
const text = (s: string) => new TextEncoder().encode(s);
const secrets = [
  { name: "OPENAI_API_KEY", scope: "global", value: text("sk-proj-vector0123456789abcdef4f2b") },
  { name: "OPENAI_API_KEY", scope: "global", value: text("sk-proj-vector-second-version-9a7c") },
  {
    name: "MULTILINE",
    scope: "global",
    value: text("line one\nline 'two'\n$HOME \\ \u00fcnicode \u2713"),
  },
  { name: "BOT_TOKEN", scope: "bot-7f3a", value: text("xoxb-vector-bot-token") },
  { name: "BINARY", scope: "global", value: new Uint8Array([0, 1, 2, 254, 255, 10]) },
];
for (const s of secrets) await vault.set(s.name, s.value, s.scope);
const hex = (b: unknown) => Buffer.from(b as Uint8Array).toString("hex");
const dump = (rows: Record<string, unknown>[]) =>
  rows.map((r) =>
    Object.fromEntries(
      Object.entries(r).map(([k, v]) => [k, v instanceof Uint8Array ? hex(v) : v]),
    ),
  );
const vector = {
  description: "coffer vault format 1; blobs as hex; must keep decrypting in every future version",
  passphrase: PASSPHRASE,
  passphrase_nfd: PASSPHRASE.normalize("NFD"),
  vault_meta: dump(store.db.query("SELECT * FROM vault_meta").all() as Record<string, unknown>[]),
  vault_entries: dump(
    store.db.query("SELECT * FROM vault_entries ORDER BY scope, name, version").all() as Record<
      string,
      unknown
    >[],
  ),
  expected: secrets.map((s, i) => ({
    scope: s.scope,
    name: s.name,
    version: s.name === "OPENAI_API_KEY" && i === 1 ? 2 : 1,
    value_hex: hex(s.value),
  })),
};
store.close();
await Bun.write(join(ROOT, "test/vectors/vault-v1.json"), `${JSON.stringify(vector, null, 2)}\n`);
console.error("wrote test/vectors/vault-v1.json");
