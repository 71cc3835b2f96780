// coffer session import [FILE|-]: an export read back as a new session; prints its id.

import { defineCommand } from "citty";
import { openCliClient } from "../../cli/context.ts";
import { printLines } from "../../cli/output.ts";
import { output } from "../_shared.ts";
import { fileOrStdin } from "../_text.ts";

/** An export holds every message of a session: more than one message's limit. */
const IMPORT_LIMIT = 256 * 1024 * 1024;

export default defineCommand({
  meta: { name: "import", description: "Read a session export back as a new session" },
  args: {
    file: { type: "positional", description: "Export file, or - for stdin", required: false },
  },
  async run({ args }) {
    const text = fileOrStdin(args.file, "session export", IMPORT_LIMIT);
    const client = await openCliClient();
    try {
      const session = await client.sessions.import(text);
      output(session, () => printLines([session.id]));
    } finally {
      await client.close();
    }
  },
});
