#!/usr/bin/env bash
# Installs Debian's PostgreSQL server when its binaries are missing: the
# PostgreSQL tests start a private server from them (test/helpers/pg-server.ts).
set -euo pipefail
have() { ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || command -v initdb >/dev/null 2>&1; }
if have; then exit 0; fi
if [ "$(id -u)" -ne 0 ] || ! command -v apt-get >/dev/null 2>&1; then
  echo "warning: PostgreSQL is not installed and cannot be installed here; its tests will be skipped" >&2
  exit 0
fi
apt-get update -qq >&2
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends postgresql >&2
# The package starts a cluster of its own; the tests never use it.
if command -v pg_lsclusters >/dev/null 2>&1; then
  pg_lsclusters -h 2>/dev/null | while read -r ver name _; do pg_ctlcluster "$ver" "$name" stop 2>/dev/null || true; done
fi
have || { echo "error: PostgreSQL install did not provide initdb" >&2; exit 1; }
