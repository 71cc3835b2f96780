// Outcomes that are not errors of SPEC §7 but still set coffer's exit code:
// a child's own status (coffer run) and a prompt interrupted with Ctrl-C.

/** Returned by a command's run() to make coffer exit with `code`. */
export class ExitStatus {
  constructor(readonly code: number) {}
}

/** Ctrl-C at a prompt: the terminal is restored, coffer exits 130 like a shell would. */
export class Interrupted extends Error {
  constructor() {
    super("interrupted");
  }
}

export const INTERRUPTED_EXIT_CODE = 130;
