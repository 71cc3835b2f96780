// Outcomes that are not errors of SPEC §7 but still set coffer's exit code:
// a child's own status (coffer run) and an interruption by a signal.

/** Returned by a command's run() to make coffer exit with `code`. */
export class ExitStatus {
  constructor(readonly code: number) {}
}

export const INTERRUPTED_EXIT_CODE = 130;

/**
 * Ctrl-C at a prompt, or a signal that stopped an operation cleanly: coffer
 * exits 128 + the signal's number like a shell would (SIGINT 130, SIGTERM 143).
 */
export class Interrupted extends Error {
  readonly exitCode: number;

  constructor(signal: NodeJS.Signals = "SIGINT") {
    super("interrupted");
    // node:os on first use only: cli.ts imports this module, so --version would pay for it.
    const { signals } = (require("node:os") as typeof import("node:os")).constants;
    this.exitCode = 128 + (signals[signal] ?? INTERRUPTED_EXIT_CODE - 128);
  }
}
