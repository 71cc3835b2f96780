// The binary's entry: global flags, dispatch, and the one place that maps
// errors to exit codes (SPEC §7). Nothing else sets the exit code.

import { version } from "../package.json" with { type: "json" };
import { extractGlobals } from "./cli/argv.ts";
import { ExitStatus, Interrupted } from "./cli/exit-status.ts";
import { stdoutFailed, writeOnce } from "./cli/fd-stream.ts";
import { CofferError, ExitCode, InternalError } from "./errors.ts";

// Everything else loads after --version is answered: each module imported
// here is paid for by every invocation, even `coffer --version`.
export async function main(
  argv: readonly string[],
  env: Record<string, string | undefined>,
): Promise<number> {
  let verbose = Boolean(env.DEBUG);
  try {
    const { globals, rest } = extractGlobals(argv);
    verbose ||= globals.verbose;
    if (globals.version) {
      // Not the output module: its logger is not worth loading for one line.
      await writeOnce(globals.json ? `${JSON.stringify({ version })}\n` : `coffer ${version}\n`);
      return ExitCode.ok;
    }
    const [{ setContext, loadContextConfig }, { dispatch }, { root }] = await Promise.all([
      import("./cli/context.ts"),
      import("./cli/dispatch.ts"),
      import("./commands/index.ts"),
    ]);
    // The binary's own console only, not that of a program or test that calls main().
    if (import.meta.main) (await import("./cli/output.ts")).routeConsole();
    setContext({ globals, env });
    await loadContextConfig();
    const result = await dispatch(root, rest);
    return result instanceof ExitStatus ? result.code : ExitCode.ok;
  } catch (err) {
    return await report(err, verbose);
  }
}

async function report(err: unknown, verbose: boolean): Promise<number> {
  const [{ say }, { toCofferError }] = await Promise.all([
    import("./cli/output.ts"),
    import("./store/io-errors.ts"),
  ]);
  return reportWith(say, toCofferError, err, verbose);
}

function reportWith(
  say: typeof import("./cli/output.ts").say,
  toCofferError: typeof import("./store/io-errors.ts").toCofferError,
  err: unknown,
  verbose: boolean,
): number {
  if (err instanceof Interrupted) return err.exitCode;
  // `using` met a failing close after a failing body: both are the user's to see, the body's first.
  if (err instanceof SuppressedError) {
    const code = reportWith(say, toCofferError, err.suppressed, verbose);
    reportWith(say, toCofferError, err.error, verbose);
    return code;
  }
  const mapped = toCofferError(err);
  if (err instanceof CofferError || !(mapped instanceof InternalError)) {
    say.error(mapped.message);
    if (mapped.hint) say.hint(mapped.hint);
    if (verbose && mapped.cause instanceof Error && mapped.cause.stack) say.raw(mapped.cause.stack);
    return mapped.code;
  }
  say.error(`internal error: ${mapped.message}`);
  say.hint(
    verbose ? "this is a bug in coffer; please report it" : "run with --verbose for details",
  );
  if (verbose && err instanceof Error && err.stack) say.raw(err.stack);
  return ExitCode.internal;
}

if (import.meta.main) {
  const code = await main(process.argv.slice(2), process.env);
  process.exitCode = stdoutFailed() ? ExitCode.io : code;
}
