// A private PostgreSQL server for the test run: initdb into a temp dir, a Unix
// socket plus 127.0.0.1 on a free port, started once and stopped at exit.

import { spawnSync } from "node:child_process";
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { SQL } from "bun";

export interface PgServer {
  /** postgres://coffer:PASSWORD@127.0.0.1:PORT/coffer_test (sslmode=disable: loopback). */
  url: string;
  /** The same database over the Unix socket (trust auth, no password). */
  socketUrl: string;
  host: string;
  port: number;
  socketDir: string;
  user: string;
  password: string;
  database: string;
  /** Seconds initdb plus start took, for the record. */
  startSeconds: number;
  stop(): void;
}

const USER = "coffer";
const OS_USER = "coffer-pg";

/** The directory holding initdb and postgres, or null when PostgreSQL is not installed. */
export function pgBinDir(): string | null {
  const fromEnv = process.env.COFFER_PG_BIN;
  if (fromEnv) return existsSync(join(fromEnv, "initdb")) ? fromEnv : null;
  const root = "/usr/lib/postgresql";
  const versions = existsSync(root) ? readdirSync(root).sort((a, b) => Number(b) - Number(a)) : [];
  for (const v of versions) {
    const dir = join(root, v, "bin");
    if (existsSync(join(dir, "initdb")) && existsSync(join(dir, "postgres"))) return dir;
  }
  const found = spawnSync("sh", ["-c", "command -v initdb"], { encoding: "utf8" }).stdout.trim();
  return found ? found.replace(/\/initdb$/, "") : null;
}

let running: Promise<PgServer | null> | undefined;
let stopAtEnd: (() => void) | undefined;

/** Stops the run's server if one was started (test/helpers/preload.ts calls it after all files). */
export function stopPgServer(): void {
  stopAtEnd?.();
}

/**
 * The run's server, started on first use. Null (with a visible note) when
 * PostgreSQL is not installed; under CI=true that is an error instead.
 */
export function pgServer(): Promise<PgServer | null> {
  running ??= start();
  return running;
}

/** A new, empty database on the run's server: each test file gets its own. */
export async function freshDatabase(
  server: PgServer,
  prefix = "t",
): Promise<{ url: string; socketUrl: string; database: string }> {
  const name = `${prefix}_${process.pid}_${Math.random().toString(36).slice(2, 10)}`;
  const admin = new SQL(server.url, { max: 1 });
  try {
    await admin.unsafe(`CREATE DATABASE "${name}"`);
  } finally {
    await admin.close();
  }
  return {
    database: name,
    url: server.url.replace(/\/[^/?]+$/, `/${name}`),
    socketUrl: server.socketUrl.replace(`/${server.database}?`, `/${name}?`),
  };
}

/** Logs the skip note; throws under CI, where PostgreSQL tests must run. */
export function noPostgres(why: string): null {
  if (process.env.CI === "true") throw new Error(`PostgreSQL is required in CI: ${why}`);
  console.log(`skipped: no PostgreSQL (${why})`);
  return null;
}

async function start(): Promise<PgServer | null> {
  const bin = pgBinDir();
  if (!bin) return noPostgres("initdb not found; run scripts/ensure-postgres.sh");
  const began = performance.now();
  const dir = mkdtempSync(join(tmpdir(), "coffer-pg-"));
  const asUser = unprivileged(dir);
  const password = crypto.randomUUID().replaceAll("-", "");
  writeFileSync(join(dir, "pw"), `${password}\n`, { mode: 0o600 });
  for (const p of [dir, join(dir, "pw")]) chown(p, asUser);
  const data = join(dir, "data");
  run(asUser, [
    join(bin, "initdb"),
    ...["-D", data, "-U", USER, `--pwfile=${join(dir, "pw")}`, "-N", "-E", "UTF8"],
    ...["--locale=C", "--auth-local=trust", "--auth-host=scram-sha-256"],
  ]);
  const port = await freePort();
  const server = Bun.spawn(
    [
      ...asUser.prefix,
      join(bin, "postgres"),
      ...["-D", data, "-k", dir, "-h", "127.0.0.1", "-p", String(port)],
      ...["-c", "fsync=off", "-c", "synchronous_commit=off", "-c", "full_page_writes=off"],
      ...["-c", "max_connections=200", "-c", "log_min_messages=fatal"],
    ],
    { stdin: "ignore", stdout: "ignore", stderr: "ignore" },
  );
  server.unref();
  const stop = stopper(server.pid, dir);
  stopAtEnd = stop;
  const url = `postgres://${USER}:${password}@127.0.0.1:${port}/coffer_test`;
  await waitReady(url.replace(/\/coffer_test$/, "/postgres"), server);
  const admin = new SQL(url.replace(/\/coffer_test$/, "/postgres"), { max: 1 });
  await admin.unsafe("CREATE DATABASE coffer_test");
  await admin.close();
  return {
    url,
    socketUrl: `postgres://${USER}@/coffer_test?host=${dir}&port=${port}`,
    host: "127.0.0.1",
    port,
    socketDir: dir,
    user: USER,
    password,
    database: "coffer_test",
    startSeconds: (performance.now() - began) / 1000,
    stop,
  };
}

interface RunAs {
  prefix: string[];
  uid: number;
  gid: number;
}

/** As root, initdb and postgres must run as an unprivileged user: coffer-pg, made if missing. */
function unprivileged(dir: string): RunAs {
  if (process.getuid?.() !== 0) return { prefix: [], uid: -1, gid: -1 };
  if (spawnSync("id", ["-u", OS_USER]).status !== 0) {
    spawnSync("useradd", ["-r", "-M", "-s", "/usr/sbin/nologin", OS_USER]);
  }
  const name = spawnSync("id", ["-u", OS_USER]).status === 0 ? OS_USER : "nobody";
  const uid = Number(spawnSync("id", ["-u", name], { encoding: "utf8" }).stdout);
  const gid = Number(spawnSync("id", ["-g", name], { encoding: "utf8" }).stdout);
  chownSync(dir, uid, gid);
  // setpriv execs in place (no fork), so the server's pid is the one we spawn.
  return { prefix: ["setpriv", `--reuid=${uid}`, `--regid=${gid}`, "--clear-groups"], uid, gid };
}

function chown(path: string, as: RunAs): void {
  if (as.uid >= 0) chownSync(path, as.uid, as.gid);
}

function run(as: RunAs, argv: string[]): void {
  const [cmd, ...args] = [...as.prefix, ...argv] as [string, ...string[]];
  const r = spawnSync(cmd, args, { encoding: "utf8" });
  if (r.status !== 0) throw new Error(`${argv[0]} failed: ${r.stderr || r.error}`);
}

async function freePort(): Promise<number> {
  const probe = Bun.listen({ hostname: "127.0.0.1", port: 0, socket: { data() {} } });
  const { port } = probe;
  probe.stop(true);
  return port;
}

async function waitReady(url: string, server: { exitCode: number | null }): Promise<void> {
  for (let i = 0; i < 200; i++) {
    if (server.exitCode !== null) throw new Error(`postgres exited with ${server.exitCode}`);
    const probe = new SQL(url, { max: 1, connectionTimeout: 1 });
    try {
      await probe`SELECT 1`;
      return;
    } catch {
      await Bun.sleep(25);
    } finally {
      await probe.close();
    }
  }
  throw new Error("postgres did not become ready in 5 s");
}

/**
 * Immediate shutdown, waited for, then the temp dir removed. bun test fires no
 * process "exit" event, and a killed run fires nothing: a watchdog shell does
 * the same once this process is gone.
 */
function stopper(pid: number, dir: string): () => void {
  // The server removes its pid file when it is down (kill -0 would see a zombie).
  const gone = `for i in $(seq 100); do [ -e '${dir}/data/postmaster.pid' ] || break; sleep 0.05; done`;
  const script = `while kill -0 ${process.pid} 2>/dev/null; do sleep 0.2; done; kill -QUIT ${pid}; ${gone}; rm -rf '${dir}'`;
  const watchdog = Bun.spawn(["sh", "-c", script], {
    stdin: "ignore",
    stdout: "ignore",
    stderr: "ignore",
  });
  watchdog.unref();
  let stopped = false;
  return () => {
    if (stopped) return;
    stopped = true;
    try {
      process.kill(pid, "SIGQUIT");
    } catch {}
    spawnSync("sh", ["-c", gone]);
    rmSync(dir, { recursive: true, force: true });
    try {
      watchdog.kill();
    } catch {}
  };
}
