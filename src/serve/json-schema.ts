// The JSON Schema of a valibot schema, for the kinds the route table uses
// (objects, strings, numbers, booleans, picklists, nullable, optional, unknown).
// A kind it does not know is an error, so the document cannot silently lie.

type Schema = { type: string; [k: string]: unknown };
type Action = { type: string; requirement?: unknown };

export type JsonSchema = Record<string, unknown>;

export function toJsonSchema(schema: unknown): JsonSchema {
  const s = schema as Schema;
  const pipe = ((s.pipe as Action[] | undefined) ?? []).slice(1);
  switch (s.type) {
    case "object":
    case "strict_object":
      return objectSchema(s);
    case "optional":
      return toJsonSchema(s.wrapped);
    case "nullable": {
      const inner = toJsonSchema(s.wrapped);
      return typeof inner.type === "string"
        ? { ...inner, type: [inner.type, "null"] }
        : { anyOf: [inner, { type: "null" }] };
    }
    case "union":
      return { anyOf: (s.options as unknown[]).map(toJsonSchema) };
    case "array": {
      const out: JsonSchema = { type: "array", items: toJsonSchema(s.item) };
      for (const a of pipe) if (a.type === "max_length") out.maxItems = a.requirement;
      return out;
    }
    case "unknown":
      return { description: "any JSON value" };
    case "boolean":
      return { type: "boolean" };
    case "picklist":
      return { type: "string", enum: s.options };
    case "string":
      return withActions({ type: "string" }, pipe);
    case "number":
      return withActions({ type: "number" }, pipe);
    default:
      throw new Error(`openapi: no JSON Schema for valibot '${s.type}'`);
  }
}

function objectSchema(s: Schema): JsonSchema {
  const entries = s.entries as Record<string, Schema>;
  const properties: Record<string, JsonSchema> = {};
  const required: string[] = [];
  for (const [name, entry] of Object.entries(entries)) {
    properties[name] = toJsonSchema(entry);
    if (entry.type !== "optional") required.push(name);
  }
  const out: JsonSchema = { type: "object", properties };
  if (required.length > 0) out.required = required;
  if (s.type === "strict_object") out.additionalProperties = false;
  return out;
}

function withActions(base: JsonSchema, actions: Action[]): JsonSchema {
  const out = { ...base };
  for (const a of actions) {
    if (a.type === "integer") out.type = "integer";
    else if (a.type === "min_value") out.minimum = a.requirement;
    else if (a.type === "max_value") out.maximum = a.requirement;
    else if (a.type === "min_length") out.minLength = a.requirement;
    else if (a.type === "max_length") out.maxLength = a.requirement;
    // A query integer: digits in the URL, a number to the handler.
    else if (a.type === "regex") out.pattern = (a.requirement as RegExp).source;
    else if (a.type === "transform") return { type: "integer", minimum: 0 };
    else throw new Error(`openapi: no JSON Schema for valibot action '${a.type}'`);
  }
  return out;
}
