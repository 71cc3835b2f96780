// coffer queue work QUEUE [flags] -- CMD [ARGS…]: any program as a worker.
// Each job runs CMD with the payload on stdin and COFFER_JOB_* set; exit 0
// acks it, anything else fails it with CMD's last 4 KiB of stderr (SPEC §12).

import { defineCommand } from "citty";
import { parseIntFlag } from "../../cli/argv.ts";
import { context, openCliClient } from "../../cli/context.ts";
import { ExitStatus } from "../../cli/exit-status.ts";
import { startJobChild } from "../../cli/job-child.ts";
import { say } from "../../cli/output.ts";
import { UsageError } from "../../errors.ts";
import { MASK } from "../../redact.ts";
import { NOT_FOUND } from "../../run-child.ts";
import type { Job } from "../../state/job.ts";
import type { JobContext } from "../../state/queue/work.ts";
import { PASSPHRASE_ENV_VARS } from "../../vault/passphrase.ts";

const DEFAULT_GRACE_MS = 30_000;

export default defineCommand({
  meta: {
    name: "work",
    description: "Run CMD for each job of QUEUE: exit 0 acks it, else fails it",
  },
  args: {
    queue: { type: "positional", description: "Queue name", required: true },
    command: { type: "positional", required: false, description: "-- CMD [ARGS…], after a --" },
    concurrency: { type: "string", description: "Jobs run side by side (default 1)" },
    lease: { type: "string", description: "Lease in ms, extended while CMD runs (default 300000)" },
    timeout: { type: "string", description: "Ms before CMD gets SIGTERM (SIGKILL 5 s later)" },
    grace: {
      type: "string",
      description: "Ms running jobs get after SIGTERM/SIGINT (default 30000)",
    },
    "max-jobs": { type: "string", description: "Stop after this many jobs" },
    "exit-when-empty": { type: "boolean", description: "Stop once no job is due" },
    secrets: { type: "boolean", description: "Give CMD the vault's secrets, as coffer run does" },
    only: { type: "string", description: "With --secrets: only these, comma-separated" },
    scope: { type: "string", description: "With --secrets: the secret scope" },
    "passphrase-file": { type: "string", description: "With --secrets: passphrase file" },
    "passphrase-fd": { type: "string", description: "With --secrets: passphrase fd" },
  },
  async run({ args, rawArgs }) {
    // First of all: a stop asked for while starting up is a clean stop too, not a death by signal.
    // A second signal ends the grace period at once.
    const stop = new AbortController();
    const force = new AbortController();
    const onSignal = () => (stop.signal.aborted ? force : stop).abort();
    const signals = ["SIGTERM", "SIGINT"] as const;
    for (const s of signals) process.on(s, onSignal);
    try {
      return await work(args, rawArgs, stop.signal, force.signal);
    } finally {
      for (const s of signals) process.removeListener(s, onSignal);
    }
  },
});

async function work(
  args: WorkArgs,
  rawArgs: readonly string[],
  signal: AbortSignal,
  force: AbortSignal,
): Promise<ExitStatus | undefined> {
  const dash = rawArgs.indexOf("--");
  const argv = dash === -1 ? [] : rawArgs.slice(dash + 1);
  if (argv.length === 0) {
    throw new UsageError("no command to run", { hint: "coffer queue work QUEUE -- CMD [ARGS…]" });
  }
  const options = {
    concurrency: parseIntFlag(args.concurrency, "--concurrency", 1, 1000),
    lease: parseIntFlag(args.lease, "--lease", 1),
    maxJobs: parseIntFlag(args["max-jobs"], "--max-jobs", 0),
    exitWhenEmpty: args["exit-when-empty"] === true,
    grace: parseIntFlag(args.grace, "--grace", 0) ?? DEFAULT_GRACE_MS,
  };
  const timeout = parseIntFlag(args.timeout, "--timeout", 1);
  if (!args.secrets && (args.only || args.scope)) {
    throw new UsageError("--only and --scope need --secrets");
  }
  const base = baseEnv();
  if (!findCommand(argv[0] as string, base.PATH)) {
    say.error(`${argv[0]}: command not found`);
    return new ExitStatus(NOT_FOUND);
  }
  const { env, mask } = args.secrets ? await secretEnv(args, base) : { env: base, mask: undefined };
  const client = await openCliClient();
  try {
    await client.queue.work(
      args.queue,
      (job, ctx) => runJob(job, ctx, { argv, env, mask, timeout }),
      {
        ...options,
        signal,
        force,
        onError: (err, job) => say.warn(`job ${job.id}: ${(err as Error).message}`),
      },
    );
  } finally {
    await client.close();
  }
}

interface WorkArgs {
  queue: string;
  concurrency?: string | undefined;
  lease?: string | undefined;
  timeout?: string | undefined;
  grace?: string | undefined;
  "max-jobs"?: string | undefined;
  "exit-when-empty"?: boolean | undefined;
  secrets?: boolean | undefined;
  only?: string | undefined;
  scope?: string | undefined;
  "passphrase-file"?: string | undefined;
  "passphrase-fd"?: string | undefined;
}

interface JobCommand {
  argv: readonly string[];
  env: Record<string, string>;
  mask: readonly Uint8Array[] | undefined;
  timeout: number | undefined;
}

async function runJob(job: Job, ctx: JobContext, cmd: JobCommand): Promise<void> {
  const child = startJobChild({
    argv: cmd.argv,
    env: {
      ...cmd.env,
      COFFER_JOB_ID: String(job.id),
      COFFER_JOB_QUEUE: job.queue,
      COFFER_JOB_ATTEMPT: String(job.attempts),
    },
    stdin: JSON.stringify(job.payload),
    mask: cmd.mask,
    maskText: MASK,
    stdout: process.stdout,
    stderr: process.stderr,
  });
  let timedOut = false;
  const timer =
    cmd.timeout === undefined
      ? undefined
      : setTimeout(() => {
          timedOut = true;
          child.terminate();
        }, cmd.timeout);
  const stop = () => child.terminate();
  ctx.signal.addEventListener("abort", stop, { once: true });
  try {
    const { code, signal, stderrTail } = await child.exited;
    if (code === 0 && !timedOut) return;
    const why = timedOut
      ? `timed out after ${cmd.timeout} ms`
      : signal
        ? `killed by ${signal}`
        : `exited with code ${code}`;
    // A job stopped with the worker is released, not failed: nothing to report.
    if (!ctx.signal.aborted) say.warn(failureLine(job, why));
    if (timedOut) throw new Error(`${why}${stderrTail ? `\n${stderrTail}` : ""}`);
    throw new Error(stderrTail || why);
  } finally {
    clearTimeout(timer);
    ctx.signal.removeEventListener("abort", stop);
  }
}

/** What the operator is told of a failed job (its stderr has passed through already). */
function failureLine(job: Job, why: string): string {
  const last = job.attempts >= job.maxAttempts;
  return `job ${job.id} (attempt ${job.attempts} of ${job.maxAttempts}) ${why}; ${last ? "it failed for good" : "it will be retried"}`;
}

/** coffer's environment minus the passphrase variables: CMD never sees those. */
function baseEnv(): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(context().env)) if (v !== undefined) env[k] = v;
  for (const name of PASSPHRASE_ENV_VARS) delete env[name];
  return env;
}

function findCommand(name: string, path: string | undefined): boolean {
  return Bun.which(name, { PATH: path ?? "" }) !== null;
}

/** The vault unlocked once: every CMD gets the secrets as `coffer run` gives them. */
async function secretEnv(
  args: WorkArgs,
  base: Record<string, string>,
): Promise<{ env: Record<string, string>; mask: Uint8Array[] }> {
  const { openVault, scopeOf } = await import("../secret/_vault.ts");
  const { childEnv, nameList, pick } = await import("../run.ts");
  const scope = scopeOf(args);
  const { vault, pending } = await openVault(args as Parameters<typeof openVault>[0]);
  try {
    const secrets = pick(await vault.current(scope), nameList(args.only), scope);
    return { env: { ...base, ...childEnv(secrets, new Set()) }, mask: secrets.map((s) => s.value) };
  } finally {
    await pending[Symbol.asyncDispose]();
  }
}
