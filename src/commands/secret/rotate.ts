// coffer secret rotate: a new master key, every stored version re-encrypted.

import { defineCommand } from "citty";
import { say } from "../../cli/output.ts";
import { output } from "../_shared.ts";
import { afterCommit, openVault, passphraseArgs } from "./_vault.ts";

export default defineCommand({
  meta: { name: "rotate", description: "Make a new master key and re-encrypt every secret" },
  args: { ...passphraseArgs },
  async run({ args }) {
    const { vault, pending } = await openVault(args);
    await using _ = pending;
    const count = await pending.audited({ action: "rotate" }, () => vault.rotate());
    const scrubbed = await afterCommit(
      `the new master key is in force (${count} version(s) re-encrypted)`,
      "scrubbing old ciphertexts",
      () => vault.scrubWal(),
    );
    if (!scrubbed) {
      say.warn(
        "another process holds the store open: old ciphertexts leave the WAL at its next checkpoint",
      );
    }
    output({ rotated: true, reencrypted: count, walTruncated: scrubbed }, () =>
      say.info(`new master key; ${count} stored version(s) re-encrypted`),
    );
  },
});
