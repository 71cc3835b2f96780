#!/usr/bin/env bash
# Installs the Bun version pinned in package.json ("packageManager") when it
# is missing or different. The pin lives there and nowhere else.
set -euo pipefail
cd "$(dirname "$0")/.."
want=$(node -p "require('./package.json').packageManager.split('@')[1]")
have=$(bun --version 2>/dev/null || true)
if [ "$have" != "$want" ]; then
  echo "installing bun $want (found: ${have:-none})" >&2
  npm install -g --silent "bun@$want" >&2
fi
