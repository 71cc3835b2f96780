// coffer doc put SLUG NAME [FILE|-]: stores the text as the next version,
// unless it equals the latest one.

import { defineCommand } from "citty";
import { openCliClient } from "../../cli/context.ts";
import { say } from "../../cli/output.ts";
import { MAX_DOCUMENT_BYTES } from "../../state/documents/rules.ts";
import { output } from "../_shared.ts";
import { fileOrStdin } from "../_text.ts";

export default defineCommand({
  meta: { name: "put", description: "Store a new version of a document" },
  args: {
    slug: { type: "positional", description: "Agent slug", required: true },
    name: { type: "positional", description: "Document name", required: true },
    file: { type: "positional", description: "File to read, or - for stdin", required: false },
    message: { type: "string", alias: "m", description: "What changed" },
  },
  async run({ args }) {
    const content = fileOrStdin(args.file, "document", MAX_DOCUMENT_BYTES);
    const client = await openCliClient();
    try {
      const r = await client.documents.put(args.slug, args.name, content, {
        ...(args.message === undefined ? {} : { message: args.message }),
      });
      const d = r.document;
      output(r, () =>
        say.info(
          r.created
            ? `stored ${d.name} version ${d.version} (sha256 ${d.sha256.slice(0, 12)})`
            : `unchanged: ${d.name} version ${d.version} has this content`,
        ),
      );
    } finally {
      await client.close();
    }
  },
});
