#!/usr/bin/env bash
# One idempotent setup step for the demo, the tests and CI:
#   npm dependencies (including a Node >= 22 from the `node` package when the system one is older),
#   then each optional part in scripts/setup.d/ (Pulumi engine, Debian packages), in name order.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "setup: installing npm dependencies"
  npm ci --no-audit --no-fund
fi
if [ -d scripts/setup.d ]; then
  for part in scripts/setup.d/*.sh; do
    [ -e "$part" ] || continue
    echo "setup: $(basename "$part")"
    bash "$part"
  done
fi
