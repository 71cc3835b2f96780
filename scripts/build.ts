// Builds the single self-contained executable: `bun run build` for this
// machine (dist/coffer), `bun run build --all` also for linux-arm64,
// darwin-arm64 and darwin-x64, with SHA256SUMS.
//
// The binary must not read .env or bunfig.toml from the working directory:
// a hostile directory could otherwise set COFFER_* variables or preload code.

import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { basename, join } from "node:path";
import { $ } from "bun";
import { migrationChecksums } from "./migration-checksums.ts";

const ROOT = join(import.meta.dir, "..");
const DIST = join(ROOT, "dist");
const CROSS = ["linux-x64", "linux-arm64", "darwin-arm64", "darwin-x64"] as const;
type Target = (typeof CROSS)[number];

// Bun's own npm packages carry the runtime for each target, so cross-compiling
// needs only the package registry, not a download from elsewhere.
const RUNTIME_PACKAGE: Record<Target, string> = {
  "linux-x64": "@oven/bun-linux-x64",
  "linux-arm64": "@oven/bun-linux-aarch64",
  "darwin-arm64": "@oven/bun-darwin-aarch64",
  "darwin-x64": "@oven/bun-darwin-x64",
};

/**
 * citty imports node:util for its parseArgs alone, and loading node:util costs
 * ~0.75 ms of every command's start: the binary gets src/cli/parse-args.ts,
 * checked against node:util's on generated argv (test/unit/cli/parse-args.test.ts).
 */
const NODE_UTIL_IMPORT = 'import { parseArgs as parseArgs$1 } from "node:util";';
const cittyWithoutNodeUtil: Bun.BunPlugin = {
  name: "citty-without-node-util",
  setup(build) {
    build.onLoad({ filter: /[\\/]citty[\\/]dist[\\/]index\.mjs$/ }, async ({ path }) => {
      const text = await Bun.file(path).text();
      if (!text.includes(NODE_UTIL_IMPORT)) {
        throw new Error(
          `${path}: citty no longer imports parseArgs as expected; update scripts/build.ts`,
        );
      }
      const ours = JSON.stringify(join(ROOT, "src/cli/parse-args.ts"));
      return {
        contents: text.replace(
          NODE_UTIL_IMPORT,
          `import { parseArgs as parseArgs$1 } from ${ours};`,
        ),
        loader: "js",
      };
    });
  },
};

async function compile(outfile: string, target?: Target): Promise<void> {
  const result = await Bun.build({
    entrypoints: [join(ROOT, "src/cli.ts")],
    minify: true,
    bytecode: true,
    format: "esm",
    // One chunk per lazily imported module: the binary then loads at start only
    // the bytecode the command needs, not all of it (start-up: docs/benchmarks.md).
    splitting: true,
    sourcemap: "none",
    plugins: [cittyWithoutNodeUtil],
    // Hashed here once, not on every open (src/store/migrate.ts).
    define: { COFFER_MIGRATION_CHECKSUMS: JSON.stringify(migrationChecksums().join(",")) },
    compile: {
      outfile,
      autoloadDotenv: false,
      autoloadBunfig: false,
      autoloadTsconfig: false,
      autoloadPackageJson: false,
      ...(target
        ? {
            target: `bun-${target}` as Bun.Build.CompileTarget,
            executablePath: await runtimeFor(target),
          }
        : {}),
    },
  });
  if (!result.success) {
    for (const log of result.logs) console.error(log);
    throw new Error(`build failed for ${target ?? "host"}`);
  }
}

async function runtimeFor(target: Target): Promise<string> {
  const cache = join(ROOT, "node_modules", ".cache", "coffer-runtimes", target);
  const bin = join(cache, "package", "bin", "bun");
  if (await Bun.file(bin).exists()) return bin;
  mkdirSync(cache, { recursive: true });
  const spec = `${RUNTIME_PACKAGE[target]}@${Bun.version}`;
  const tarball =
    (await $`npm pack ${spec} --silent`.cwd(cache).text()).trim().split("\n").pop() ?? "";
  await $`tar -xzf ${tarball}`.cwd(cache);
  return bin;
}

mkdirSync(DIST, { recursive: true });
const host = join(DIST, "coffer");
await compile(host);
console.error(`built ${host}`);

if (process.argv.includes("--all")) {
  const outputs: string[] = [];
  for (const target of CROSS) {
    const out = join(DIST, `coffer-${target}`);
    await compile(out, target);
    outputs.push(out);
    console.error(`built ${out}`);
  }
  const sums = outputs.map(
    (file) =>
      `${new Bun.CryptoHasher("sha256").update(readFileSync(file)).digest("hex")}  ${basename(file)}`,
  );
  writeFileSync(join(DIST, "SHA256SUMS"), `${sums.join("\n")}\n`);
  console.error(`wrote ${join(DIST, "SHA256SUMS")}`);
}
