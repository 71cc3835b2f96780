// How messages are shown to people: a header line, then the content line by line.

import { isoTime, printLines } from "../../cli/output.ts";
import type { Message } from "../../state/messages/rules.ts";

export function printMessages(messages: readonly Message[]): void {
  messages.forEach((m, i) => {
    const edited = m.editedAt === null ? "" : ` (edited ${isoTime(m.editedAt)})`;
    printLines([
      ...(i > 0 ? [""] : []),
      `#${m.id} [${isoTime(m.createdAt)}] ${m.role}${edited}:`,
      ...m.content.split("\n"),
    ]);
  });
}
