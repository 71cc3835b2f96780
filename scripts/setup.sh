#!/usr/bin/env bash
# One command from a fresh clone (Node and npm only) to a working binary:
# installs Bun and the dependencies, builds dist/coffer and runs it.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/ensure-bun.sh
bun install --frozen-lockfile
bun run build
dist/coffer status
