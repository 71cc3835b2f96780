// The environment variables a secret may not set in `coffer run` unless the
// user allows it by name: they decide which program runs, what the dynamic
// loader injects, what a shell or interpreter executes at start-up, or what
// coffer itself does. The one list; run and secret set/import use it.

/** Exact names: command lookup, shell start-up, interpreter start-up hooks, libc loading. */
export const PROTECTED_ENV_NAMES: ReadonlySet<string> = new Set([
  "PATH",
  // shells: files sourced and options applied at start-up, prompts that run code
  "BASH_ENV",
  "ENV",
  "SHELLOPTS",
  "BASHOPTS",
  "PROMPT_COMMAND",
  "PS4",
  "IFS",
  "ZDOTDIR",
  // interpreters and runtimes: options, preloads and module paths read at start-up
  "NODE_OPTIONS",
  "NODE_PATH",
  "BUN_OPTIONS",
  "PYTHONPATH",
  "PYTHONHOME",
  "PYTHONSTARTUP",
  "PERL5OPT",
  "PERL5LIB",
  "PERLLIB",
  "RUBYOPT",
  "RUBYLIB",
  "JAVA_TOOL_OPTIONS",
  "JDK_JAVA_OPTIONS",
  "_JAVA_OPTIONS",
  // glibc: modules it loads (iconv) and tunables read before main
  "GCONV_PATH",
  "GLIBC_TUNABLES",
]);

/** Prefixes: the dynamic loaders (Linux LD_*, macOS DYLD_*), exported bash functions, coffer's own. */
export const PROTECTED_ENV_PREFIXES: readonly string[] = ["LD_", "DYLD_", "BASH_FUNC_", "COFFER_"];

export function isProtectedEnvName(name: string): boolean {
  return (
    PROTECTED_ENV_NAMES.has(name) ||
    PROTECTED_ENV_PREFIXES.some((prefix) => name.startsWith(prefix))
  );
}

/** The warning for storing secrets under protected names (none: undefined). Names only. */
export function protectedNamesWarning(names: Iterable<string>): string | undefined {
  const found = [...new Set([...names].filter(isProtectedEnvName))];
  if (found.length === 0) return undefined;
  const what = found.length > 1 ? "protected names" : "a protected name";
  return `${found.join(", ")}: ${what} that coffer run sets only with --allow-env ${found.join(",")}`;
}
