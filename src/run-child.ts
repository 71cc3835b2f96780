// Starts a command with secrets in its environment and its output masked;
// resolves to its exit status (127 not found, 126 not executable, 128+N signal).

import { constants } from "node:os";
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

/** The shell's convention for a child killed by a signal: 128 + the signal's number. */
export function signalExitCode(signal: string | number): number {
  if (typeof signal === "number") return 128 + signal;
  const number = (constants.signals as Record<string, number | undefined>)[signal];
  // A name this platform does not know cannot come from a real kill; 128 still says "signal".
  return 128 + (number ?? 0);
}

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
        new Pump(proc.stdout as ReadableStream<Uint8Array>, options.stdout, options),
        new Pump(proc.stderr as ReadableStream<Uint8Array>, options.stderr, options),
      ]
    : [];
  const exited = (async () => {
    const code = await proc.exited;
    // A grandchild may keep the pipes open: drain briefly, then stop listening.
    await within(Promise.all(pumps.map((p) => p.done)), DRAIN_MS);
    await Promise.all(pumps.map((p) => p.stop()));
    if (proc.signalCode) return signalExitCode(proc.signalCode);
    return code;
  })();
  return { kill: (signal) => proc.kill(signal), exited };
}

const DRAIN_MS = 250;

/** Waits for `work` at most `ms`; the timer is cleared so it never holds the process open. */
async function within(work: Promise<unknown>, ms: number): Promise<void> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<void>((resolve) => {
    timer = setTimeout(resolve, ms);
  });
  await Promise.race([work, timeout]);
  clearTimeout(timer);
}

interface ChunkReader {
  read(): Promise<{ done: true; value?: undefined } | { done: false; value: Uint8Array }>;
  cancel(): Promise<void>;
}

/** Copies one of the child's streams through a masker until it ends or is stopped. */
class Pump {
  readonly done: Promise<void>;
  private readonly reader: ChunkReader;
  private readonly masker: StreamMasker;

  constructor(
    stream: ReadableStream<Uint8Array>,
    private readonly out: { write(data: Uint8Array): unknown },
    options: ChildOptions,
  ) {
    this.reader = stream.getReader() as unknown as ChunkReader;
    this.masker = new StreamMasker(options.mask ?? [], options.maskText);
    this.done = this.copy();
  }

  private async copy(): Promise<void> {
    for (;;) {
      const { done, value } = await this.reader.read();
      if (done) break;
      const ready = this.masker.push(value);
      if (ready.length > 0) this.out.write(ready);
    }
  }

  async stop(): Promise<void> {
    await this.reader.cancel().catch(() => {});
    await this.done.catch(() => {});
    const rest = this.masker.end();
    if (rest.length > 0) this.out.write(rest);
  }
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
