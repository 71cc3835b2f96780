// Terminal helpers shared by backup and restore: sizes, a progress line on
// stderr when it is a terminal, and signals turned into an abort.

import { Interrupted } from "../cli/exit-status.ts";
import { getStreams, say } from "../cli/output.ts";

export function formatBytes(bytes: number): string {
  if (bytes < 1_000_000) return `${(bytes / 1000).toFixed(1)} kB`;
  if (bytes < 1_000_000_000) return `${(bytes / 1_000_000).toFixed(1)} MB`;
  return `${(bytes / 1_000_000_000).toFixed(2)} GB`;
}

/** Progress for large files only, redrawn in place; silent when stderr is not a terminal. */
export function progressLine(label: string, minBytes = 64_000_000) {
  const { stderr } = getStreams();
  let shown = false;
  let last = -1;
  return {
    update(done: number, total: number): void {
      if (!stderr.isTTY || total < minBytes) return;
      const percent = Math.floor((done / total) * 100);
      if (percent === last) return;
      last = percent;
      shown = true;
      stderr.write(
        `\r\u001b[2Kcoffer: ${label} ${percent}% (${formatBytes(done)} of ${formatBytes(total)})`,
      );
    },
    done(): void {
      if (shown) stderr.write("\r\u001b[2K");
      shown = false;
    },
  };
}

/**
 * An AbortSignal fired by SIGINT, SIGTERM or SIGHUP while `fn` runs, so temp
 * files are removed; then exit 128 + the signal's number (SIGINT 130, SIGTERM 143).
 */
export async function withSignals<T>(fn: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const controller = new AbortController();
  const signals = ["SIGINT", "SIGTERM", "SIGHUP"] as const;
  const handlers = signals.map((s) => [s, () => controller.abort(s)] as const);
  for (const [s, handler] of handlers) process.on(s, handler);
  try {
    return await fn(controller.signal);
  } catch (err) {
    // Only the library's own abort means "nothing was written"; any other
    // failure (one after a restore's swap, say) is reported as it is.
    if (!controller.signal.aborted || !isAbort(err, controller.signal)) throw err;
    say.warn("interrupted; nothing was written");
    throw new Interrupted(controller.signal.reason as NodeJS.Signals);
  } finally {
    for (const [s, handler] of handlers) process.off(s, handler);
  }
}

function isAbort(err: unknown, signal: AbortSignal): boolean {
  return err instanceof Error && err.cause === signal.reason;
}
