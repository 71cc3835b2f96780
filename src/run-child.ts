// Starts a command with secrets in its environment and its output masked;
// resolves to its exit status (127 not found, 126 not executable, 128+N signal).

import { StreamMasker } from "./redact-stream.ts";

export interface ChildOptions {
  argv: readonly string[];
  env: Record<string, string>;
  /** Values to mask in the child's stdout and stderr; none with mask off. */
  mask: readonly Uint8Array[] | undefined;
  maskText: string;
  stdout: { write(data: Uint8Array): unknown };
  stderr: { write(data: Uint8Array): unknown };
}

export interface RunningChild {
  /** Forwards a signal to the child. */
  kill(signal: NodeJS.Signals): void;
  exited: Promise<number>;
}

export const NOT_FOUND = 127;
export const NOT_EXECUTABLE = 126;

const SIGNALS: Record<string, number> = { SIGHUP: 1, SIGINT: 2, SIGKILL: 9, SIGTERM: 15 };

/** Spawns the child; throws a SpawnError with 126/127 when it cannot start. */
export function startChild(options: ChildOptions): RunningChild {
  const masked = options.mask !== undefined;
  let proc: ReturnType<typeof Bun.spawn>;
  try {
    proc = Bun.spawn([...options.argv], {
      env: options.env,
      stdin: "inherit",
      stdout: masked ? "pipe" : "inherit",
      stderr: masked ? "pipe" : "inherit",
    });
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new SpawnError(code === "EACCES" ? NOT_EXECUTABLE : NOT_FOUND, code, { cause: err });
  }
  const pumps = masked
    ? [
        pump(proc.stdout as ReadableStream<Uint8Array>, options.stdout, options),
        pump(proc.stderr as ReadableStream<Uint8Array>, options.stderr, options),
      ]
    : [];
  const exited = (async () => {
    const code = await proc.exited;
    await Promise.all(pumps);
    if (proc.signalCode) return 128 + (SIGNALS[proc.signalCode] ?? 0);
    return code;
  })();
  return { kill: (signal) => proc.kill(signal), exited };
}

async function pump(
  stream: ReadableStream<Uint8Array>,
  out: { write(data: Uint8Array): unknown },
  options: ChildOptions,
): Promise<void> {
  const masker = new StreamMasker(options.mask ?? [], options.maskText);
  for await (const chunk of stream) {
    const ready = masker.push(chunk);
    if (ready.length > 0) out.write(ready);
  }
  const rest = masker.end();
  if (rest.length > 0) out.write(rest);
}

export class SpawnError extends Error {
  constructor(
    readonly exitCode: number,
    readonly reason: string | undefined,
    options: { cause?: unknown } = {},
  ) {
    super(exitCode === NOT_EXECUTABLE ? "permission denied" : "command not found", options);
  }
}
