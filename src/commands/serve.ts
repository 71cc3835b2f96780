// coffer serve [--socket PATH] [--listen HOST:PORT] [--tls-cert FILE --tls-key FILE]:
// the whole store over HTTP/JSON until SIGTERM or SIGINT (SPEC §13).

import { readFileSync } from "node:fs";
import { defineCommand } from "citty";
import { context, openCliClient, storePath } from "../cli/context.ts";
import { say } from "../cli/output.ts";
import type { Client } from "../client.ts";
import { isPostgresUrl } from "../engines/postgres/is-url.ts";
import { IoError, UsageError } from "../errors.ts";
import {
  checkListen,
  defaultSocketPath,
  type ListenAddress,
  parseListen,
} from "../serve/listen.ts";
import { startServer } from "../serve/server.ts";
import { forbidCoreDumps } from "../vault/core-dumps.ts";
import { readPassphrase } from "../vault/passphrase.ts";
import type { Vault } from "../vault/vault.ts";
import { configuredKdfParams, passphraseArgs, passphraseSources } from "./secret/_vault.ts";

export default defineCommand({
  meta: { name: "serve", description: "Serve the store over HTTP/JSON on a Unix socket (and TCP)" },
  args: {
    socket: {
      type: "string",
      description: "Unix socket path (default $XDG_RUNTIME_DIR/coffer/serve.sock)",
    },
    listen: {
      type: "string",
      description: "Also listen on TCP HOST:PORT (HOST default 127.0.0.1)",
    },
    "tls-cert": { type: "string", description: "PEM certificate chain for TCP (TLS 1.2 or later)" },
    "tls-key": { type: "string", description: "PEM private key for --tls-cert" },
    ...passphraseArgs,
  },
  async run({ args }) {
    // Caught from the start: a SIGTERM while starting (or the instant the socket
    // appears) stops the server cleanly instead of killing it with the socket left behind.
    const stop = stopSignal();
    // The socket is made by bind() with the umask's mode, before it is chmod'ed 0600:
    // with this umask it is never open to others, not even for that instant.
    process.umask(0o077);
    try {
      await serveUntil(args, stop.promise);
    } finally {
      stop.cancel();
    }
  },
});

interface ServeArgs {
  socket?: string | undefined;
  listen?: string | undefined;
  "tls-cert"?: string | undefined;
  "tls-key"?: string | undefined;
  "passphrase-file"?: string | undefined;
  "passphrase-fd"?: string | undefined;
}

async function serveUntil(args: ServeArgs, stopped: Promise<void>): Promise<void> {
  const target = storePath();
  const postgres = isPostgresUrl(target);
  const tls = readTls(args["tls-cert"], args["tls-key"]);
  let listen: ListenAddress | undefined;
  if (args.listen !== undefined) {
    listen = parseListen(args.listen);
    checkListen(listen, tls !== undefined);
  } else if (tls) {
    throw new UsageError("--tls-cert and --tls-key need --listen");
  }
  const fallback = defaultSocketPath(context().env, target, postgres);
  const socket = args.socket ?? fallback.path;
  const passphrase = await startPassphrase(args);
  const client = await openCliClient();
  let vault: Vault | undefined;
  try {
    vault = passphrase === undefined ? undefined : await openServeVault(client, passphrase);
  } catch (err) {
    await client.close();
    throw err;
  }
  let server: Awaited<ReturnType<typeof startServer>>;
  try {
    server = await startServer({
      vault,
      client,
      socket,
      socketIsOwn: args.socket === undefined && fallback.own,
      listen,
      tls,
      onInternalError: (err) =>
        say.error(`internal error: ${err instanceof Error ? err.name : "unknown"}`),
    });
  } catch (err) {
    vault?.lock();
    await client.close();
    throw err;
  }
  if (!vault) say.info("the vault is locked (no passphrase source): secret routes answer 423");
  say.info(`serving on unix:${socket}`);
  if (listen) say.info(`serving on ${tls ? "https" : "http"}://${listen.host}:${server.port}`);
  await stopped;
  say.info("shutting down");
  await server.stop();
}

/** The passphrase from a non-interactive source, or undefined when none is given (never a prompt). */
async function startPassphrase(
  args: Parameters<typeof passphraseSources>[0],
): Promise<string | undefined> {
  const sources = { ...passphraseSources(args), prompt: undefined };
  const given =
    sources.file !== undefined ||
    sources.fd !== undefined ||
    Boolean(sources.env.COFFER_PASSPHRASE_FILE) ||
    sources.env.COFFER_PASSPHRASE !== undefined;
  if (!given) return undefined;
  if (forbidCoreDumps() === "failed")
    say.warn("could not turn off core dumps: a crash could write secrets to disk");
  return readPassphrase(sources);
}

/** Unlocks the vault once, or creates it (as the first `secret set` would); a wrong passphrase is exit 4. */
async function openServeVault(client: Client, passphrase: string): Promise<Vault> {
  if (await client.vault.exists()) return client.vault.unlock(passphrase);
  const vault = await client.vault.create(passphrase, configuredKdfParams());
  say.info("created a new vault");
  return vault;
}

function readTls(cert: string | undefined, key: string | undefined) {
  if (cert === undefined && key === undefined) return undefined;
  if (cert === undefined || key === undefined) {
    throw new UsageError("give both --tls-cert and --tls-key");
  }
  return { cert: readPem(cert, "--tls-cert"), key: readPem(key, "--tls-key") };
}

function readPem(path: string, flag: string): string {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (err) {
    throw new IoError(`${flag} ${path}: ${(err as NodeJS.ErrnoException).code ?? "unreadable"}`);
  }
  if (!text.includes("-----BEGIN ")) throw new UsageError(`${flag} ${path} is not a PEM file`);
  return text;
}

/** Resolves on the first SIGTERM or SIGINT; `cancel` removes the handlers. */
function stopSignal(): { promise: Promise<void>; cancel(): void } {
  let cancel = () => {};
  const promise = new Promise<void>((resolve) => {
    const done = () => {
      cancel();
      resolve();
    };
    cancel = () => {
      process.off("SIGTERM", done);
      process.off("SIGINT", done);
    };
    process.on("SIGTERM", done);
    process.on("SIGINT", done);
  });
  return { promise, cancel };
}
