// The JSON Lines form of `session export` / `session import`, once for both
// engines: a line for the session, then one per message in order, each with
// its earlier revisions. Everything but the ids comes back exactly.

import * as v from "valibot";
import { UsageError } from "../../errors.ts";
import { type Json, toJsonText } from "../json.ts";
import {
  checkContent,
  checkNewMessage,
  type Message,
  type MessageArgs,
  type Revision,
  ROLES,
} from "../messages/rules.ts";
import type { Session } from "./rules.ts";

const Meta = v.nullable(v.unknown());
const Time = v.pipe(v.number(), v.safeInteger(), v.minValue(0));
const MaybeTime = v.nullable(Time);

const SessionLine = v.strictObject({
  type: v.literal("session"),
  channel: v.string(),
  userId: v.nullable(v.string()),
  state: v.string(),
  metadata: Meta,
  agent: v.nullable(v.string()),
  parentId: v.nullable(v.string()),
  forkedAt: MaybeTime,
  expiresAt: MaybeTime,
  createdAt: Time,
  updatedAt: Time,
  lastMessageAt: MaybeTime,
});

const MessageLine = v.strictObject({
  type: v.literal("message"),
  role: v.picklist(ROLES),
  content: v.string(),
  tokenCount: v.nullable(v.pipe(v.number(), v.safeInteger(), v.minValue(0))),
  metadata: Meta,
  createdAt: Time,
  editedAt: MaybeTime,
  revisions: v.array(v.strictObject({ content: v.string(), createdAt: Time })),
});

export type SessionRecord = v.InferOutput<typeof SessionLine>;
export type MessageRecord = v.InferOutput<typeof MessageLine>;

export interface SessionDump {
  session: SessionRecord;
  messages: MessageRecord[];
}

/** JSON Lines, each line ending in a newline. */
export function formatExport(
  s: Session,
  messages: readonly Message[],
  revisions: readonly Revision[],
): string {
  const { id: _id, ...rest } = s;
  const lines = [JSON.stringify({ type: "session", ...rest })];
  const byMessage = new Map<number, Revision[]>();
  for (const r of revisions) byMessage.set(r.messageId, [...(byMessage.get(r.messageId) ?? []), r]);
  for (const m of messages) {
    const revs = (byMessage.get(m.id) ?? []).map((r) => ({
      content: r.content,
      createdAt: r.createdAt,
    }));
    const { id: _m, sessionId: _s, ...fields } = m;
    lines.push(JSON.stringify({ type: "message", ...fields, revisions: revs }));
  }
  return `${lines.join("\n")}\n`;
}

/** An export's text, checked line by line (exit 2 naming the first bad line). */
export function parseExport(text: string): SessionDump {
  const lines = text.split("\n");
  if (lines[lines.length - 1] === "") lines.pop();
  if (lines.length === 0) throw new UsageError("the import is empty: expected a session line");
  const session = parseLine(lines[0] as string, 1, SessionLine);
  const messages = lines.slice(1).map((line, i) => {
    const m = parseLine(line, i + 2, MessageLine);
    checkContent(m.content);
    for (const r of m.revisions) checkContent(r.content);
    return m;
  });
  return { session, messages };
}

function parseLine<T extends v.GenericSchema>(
  line: string,
  n: number,
  schema: T,
): v.InferOutput<T> {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    throw new UsageError(`import line ${n} is not valid JSON`);
  }
  const r = v.safeParse(schema, value);
  if (!r.success) {
    const issue = r.issues[0];
    const where = issue?.path?.map((p) => String(p.key)).join(".") ?? "";
    throw new UsageError(`import line ${n} is not a coffer session export (${where || "type"})`);
  }
  return r.output;
}

/** Metadata as the JSON text to store (or null). */
export function metaText(value: unknown): string | null {
  return value === null || value === undefined
    ? null
    : toJsonText(value as Json, "imported metadata");
}

/** An imported message's columns: checked and redacted as an appended one is. */
export function messageArgs(m: MessageRecord, redact: (text: string) => string): MessageArgs {
  const metadata = m.metadata === null ? null : (m.metadata as Json);
  return checkNewMessage(
    { role: m.role, content: m.content, tokenCount: m.tokenCount, metadata },
    redact,
  );
}
