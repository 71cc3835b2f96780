// One job's CMD for `coffer queue work`: the payload on its stdin, its output
// passed through (masked with --secrets), the last 4 KiB of its stderr kept
// as the job's error, SIGTERM then SIGKILL 5 s later when it must stop.
// CMD leads its own process group (a new session), and the signals go to the
// group: `sh -c 'python job.py'` timed out stops python too, not only sh,
// so a job that is retried never runs on beside its orphaned first attempt.

import { StreamMasker } from "../redact-stream.ts";
import { signalExitCode } from "../run-child.ts";

export const STDERR_TAIL_BYTES = 4096;
export const KILL_AFTER_MS = 5000;

export interface JobChildOptions {
  argv: readonly string[];
  env: Record<string, string>;
  stdin: string;
  /** Secret values to mask in CMD's output; undefined: output passes through untouched. */
  mask: readonly Uint8Array[] | undefined;
  maskText: string;
  stdout: { write(data: Uint8Array): unknown };
  stderr: { write(data: Uint8Array): unknown };
}

export interface JobChild {
  /** SIGTERM to CMD's process group now, SIGKILL to what is left of it after 5 s. */
  terminate(): void;
  /** Its exit code (128+N for signal N) and the tail of its stderr. */
  exited: Promise<{ code: number; signal: string | null; stderrTail: string }>;
}

export function startJobChild(options: JobChildOptions): JobChild {
  const masked = options.mask !== undefined;
  const proc = Bun.spawn([...options.argv], {
    env: options.env,
    stdin: new TextEncoder().encode(options.stdin),
    stdout: masked ? "pipe" : "inherit",
    stderr: "pipe",
    // setsid: CMD and whatever it starts form one group to signal, and a
    // terminal's Ctrl-C reaches the worker alone, which stops gracefully.
    detached: true,
  });
  const tail = new Tail(STDERR_TAIL_BYTES);
  const err = copy(proc.stderr as ReadableStream<Uint8Array>, options, (bytes) => {
    options.stderr.write(bytes);
    tail.push(bytes);
  });
  const out = masked
    ? copy(proc.stdout as ReadableStream<Uint8Array>, options, (b) => options.stdout.write(b))
    : Promise.resolve();
  let killTimer: ReturnType<typeof setTimeout> | undefined;
  let stopping = false;
  const exited = (async () => {
    const code = await proc.exited;
    clearTimeout(killTimer);
    // Told to stop: what CMD started and left behind goes with it, at once.
    if (stopping) signalGroup(proc.pid, "SIGKILL");
    // A grandchild may keep the pipes open: drain briefly, then give up on them.
    await Promise.race([Promise.all([err, out]), Bun.sleep(250)]);
    const signal = proc.signalCode ? String(proc.signalCode) : null;
    return { code: signal ? signalExitCode(signal) : code, signal, stderrTail: tail.text() };
  })();
  return {
    terminate() {
      if (proc.exitCode !== null || proc.signalCode) return;
      stopping = true;
      signalGroup(proc.pid, "SIGTERM");
      killTimer ??= setTimeout(() => signalGroup(proc.pid, "SIGKILL"), KILL_AFTER_MS);
    },
    exited,
  };
}

/** Signals the process group `pid` leads; a group already gone is no error. */
function signalGroup(pid: number, signal: NodeJS.Signals): void {
  // kill(-0) would be kill(0): this worker's own group.
  if (!Number.isInteger(pid) || pid <= 1) return;
  try {
    process.kill(-pid, signal);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== "ESRCH") throw err;
  }
}

async function copy(
  stream: ReadableStream<Uint8Array>,
  options: JobChildOptions,
  write: (bytes: Uint8Array) => void,
): Promise<void> {
  const masker = options.mask ? new StreamMasker(options.mask, options.maskText) : undefined;
  for await (const chunk of stream) {
    const ready = masker ? masker.push(chunk) : chunk;
    if (ready.length > 0) write(ready);
  }
  const rest = masker?.end();
  if (rest && rest.length > 0) write(rest);
}

/** The last `limit` bytes written, as text. */
class Tail {
  private chunks: Uint8Array[] = [];
  private size = 0;

  constructor(private readonly limit: number) {}

  push(bytes: Uint8Array): void {
    this.chunks.push(bytes);
    this.size += bytes.length;
    while (this.chunks.length > 1 && this.size - (this.chunks[0]?.length ?? 0) >= this.limit) {
      this.size -= this.chunks.shift()?.length ?? 0;
    }
  }

  text(): string {
    const all = Buffer.concat(this.chunks);
    const cut = all.subarray(Math.max(0, all.length - this.limit));
    return new TextDecoder().decode(cut).trim();
  }
}
