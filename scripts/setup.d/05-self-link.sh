#!/usr/bin/env bash
# Self-link: node_modules/pulumi-pfsense-ha -> the repository root (idempotent).
#
# The serialized dynamic providers stored in Pulumi state do `require("pulumi-pfsense-ha/runtime")`
# (design/pulumi-notes.md B2 pitfalls 1-2). The dynamic-provider process resolves that from its
# working directory's node_modules chain. Users who `npm install pulumi-pfsense-ha` get the
# package there naturally; inside this repository (tests, demo, bench) this link provides it.
set -euo pipefail
cd "$(dirname "$0")/../.."
mkdir -p node_modules
link=node_modules/pulumi-pfsense-ha
if [ -L "$link" ] && [ "$(readlink "$link")" = ".." ]; then
  exit 0
fi
if [ -e "$link" ] && [ ! -L "$link" ]; then
  echo "setup: $link exists and is not a symlink; leaving it alone" >&2
  exit 0
fi
ln -sfn .. "$link"
echo "setup: linked $link -> .."
