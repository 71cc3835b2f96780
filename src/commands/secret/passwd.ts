// coffer secret passwd: re-wraps the master key under a new passphrase, then
// truncates the WAL so no copy of the old wrapped key stays behind.

import { defineCommand } from "citty";
import { say } from "../../cli/output.ts";
import { readNewPassphrase } from "../../vault/passphrase.ts";
import { output } from "../_shared.ts";
import {
  afterCommit,
  configuredKdfParams,
  openVault,
  passphraseArgs,
  passphraseSources,
} from "./_vault.ts";

export default defineCommand({
  meta: {
    name: "passwd",
    description:
      "Change the vault passphrase (new one from COFFER_NEW_PASSPHRASE(_FILE) or the prompt)",
  },
  args: { ...passphraseArgs },
  async run({ args }) {
    const { vault, pending } = await openVault(args);
    await using _ = pending;
    const next = await readNewPassphrase(passphraseSources(args));
    await pending.audited({ action: "passwd" }, () =>
      vault.changePassphrase(next, configuredKdfParams()),
    );
    const scrubbed = await afterCommit(
      "the new passphrase is in force",
      "scrubbing old key copies",
      () => vault.scrubWal(),
    );
    if (!scrubbed) {
      say.warn(
        "another process holds the store open: the old wrapped key leaves the WAL at its next checkpoint",
      );
    }
    output({ changed: true, walTruncated: scrubbed }, () => say.info("passphrase changed"));
  },
});
