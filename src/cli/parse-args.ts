// node:util's parseArgs as citty calls it (allowPositionals, strict: false),
// swapped in for citty's import at build time (scripts/build.ts): loading
// node:util costs ~0.75 ms of every command's start on the compiled binary,
// and citty needs only this function of it. test/unit/cli/parse-args.test.ts
// checks it against node:util's own on generated argv.

export interface OptionConfig {
  type: "string" | "boolean";
  short?: string | undefined;
  default?: unknown;
  multiple?: boolean | undefined;
}

export interface ParseArgsConfig {
  args: readonly string[];
  options?: Record<string, OptionConfig> | undefined;
  allowPositionals?: boolean;
  strict?: boolean;
}

export interface Parsed {
  values: Record<string, string | boolean | (string | boolean)[]>;
  positionals: string[];
}

interface OptionToken {
  name: string;
  value: string | undefined;
}

export function parseArgs(config: ParseArgsConfig): Parsed {
  const options = config.options ?? {};
  if (config.strict !== false || config.allowPositionals !== true) {
    throw new TypeError("only strict: false with allowPositionals: true is supported");
  }
  validate(options);
  const values: Parsed["values"] = Object.create(null);
  const positionals: string[] = [];
  const own = (name: string) => (Object.hasOwn(options, name) ? options[name] : undefined);
  const longFor = (short: string) => {
    for (const [name, def] of Object.entries(options)) if (def.short === short) return name;
    return short;
  };
  const takesString = (name: string) => own(name)?.type === "string";
  const store = ({ name, value }: OptionToken) => {
    if (name === "__proto__") return;
    const stored = value ?? true;
    if (own(name)?.multiple) {
      const list = values[name];
      if (Array.isArray(list)) list.push(stored);
      else values[name] = [stored];
    } else {
      values[name] = stored;
    }
  };
  const remaining = [...config.args];
  while (remaining.length > 0) {
    const arg = remaining.shift() as string;
    const next = remaining[0];
    if (arg === "--") {
      positionals.push(...remaining);
      break;
    }
    const short = arg.length >= 2 && arg[0] === "-" && arg[1] !== "-";
    if (short && arg.length === 2) {
      // -f, or -f VALUE for a string option (the value may start with a dash)
      const name = longFor(arg[1] as string);
      store({ name, value: takesString(name) && next != null ? remaining.shift() : undefined });
      continue;
    }
    if (short) {
      const name = longFor(arg[1] as string);
      if (takesString(name)) {
        store({ name, value: arg.slice(2) }); // -fVALUE
        continue;
      }
      // -abc is -a -b -c; a string option inside takes the rest: -abfFILE is -a -b -fFILE
      const expanded: string[] = [];
      for (let i = 1; i < arg.length; i++) {
        const letter = arg[i] as string;
        if (!takesString(longFor(letter)) || i === arg.length - 1) expanded.push(`-${letter}`);
        else {
          expanded.push(`-${arg.slice(i)}`);
          break;
        }
      }
      remaining.unshift(...expanded);
      continue;
    }
    if (arg.length > 2 && arg.startsWith("--")) {
      const eq = arg.indexOf("=", 3);
      if (eq === -1) {
        const name = arg.slice(2);
        store({ name, value: takesString(name) && next != null ? remaining.shift() : undefined });
      } else {
        store({ name: arg.slice(2, eq), value: arg.slice(eq + 1) });
      }
      continue;
    }
    positionals.push(arg);
  }
  for (const [name, def] of Object.entries(options)) {
    if (def.default !== undefined && values[name] === undefined) {
      values[name] = def.default as Parsed["values"][string];
    }
  }
  return { values, positionals };
}

/** The option definitions node:util refuses (citty then falls back to positionals only). */
function validate(options: Record<string, OptionConfig>): void {
  for (const [name, def] of Object.entries(options)) {
    if (def.type !== "string" && def.type !== "boolean") {
      throw new TypeError(`options.${name}.type must be 'string' or 'boolean'`);
    }
    if (def.short !== undefined && (typeof def.short !== "string" || def.short.length !== 1)) {
      throw new TypeError(`options.${name}.short must be a single character`);
    }
    if (def.multiple !== undefined && typeof def.multiple !== "boolean") {
      throw new TypeError(`options.${name}.multiple must be a boolean`);
    }
    if (def.default !== undefined) {
      const ok = (x: unknown) => typeof x === def.type;
      const valid = def.multiple
        ? Array.isArray(def.default) && def.default.every(ok)
        : ok(def.default);
      if (!valid) throw new TypeError(`options.${name}.default does not match its type`);
    }
  }
}
