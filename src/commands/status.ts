// coffer status: where the store is, what it holds, and whether it checks clean.

import { defineCommand } from "citty";
import { openCliStore } from "../cli/context.ts";
import { printLines } from "../cli/output.ts";
import { storeStatus } from "../store/status.ts";
import { output } from "./_shared.ts";

export default defineCommand({
  meta: {
    name: "status",
    description: "Show the store's path, size, schema, counts and a quick check",
  },
  run() {
    using store = openCliStore();
    const status = storeStatus(store);
    output(status, () => {
      printLines([
        `path:          ${status.path}`,
        `size:          ${status.sizeBytes} bytes`,
        `journal mode:  ${status.journalMode}`,
        `schema:        version ${status.schemaVersion}`,
        `sessions:      ${status.counts.sessions}`,
        `messages:      ${status.counts.messages}`,
        `jobs:          ${Object.entries(status.counts.jobs)
          .map(([k, n]) => `${n} ${k}`)
          .join(", ")}`,
        `quick check:   ${status.quickCheck}`,
      ]);
    });
  },
});
