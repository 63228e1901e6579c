#!/usr/bin/env bash
# `pulumi-language-yaml`, the YAML language host (Pulumi.yaml `runtime: yaml`), built from the Go
# module proxy into the git-ignored .tools/pulumi/bin/ next to the CLI (pins and why:
# tools/pulumi-engine/README.md). Module github.com/pulumi/pulumi-yaml at the version the wrapper
# module tools/pulumi-engine/language-yaml/go.mod requires, stamped the way its .goreleaser.yml
# does (`-X github.com/pulumi/pulumi-yaml/pkg/version.Version=<tag>`, `-s -w`, CGO off).
#
# Idempotent, reused while its stamp matches, safe to start concurrently (scripts/setup.d/lib/
# go-tool.sh). It is supposed to build: a failure fails setup. PULUMI_ENGINE_REBUILD=1 rebuilds.
set -euo pipefail
cd "$(dirname "$0")/../.."
ROOT="$PWD"
PART=pulumi-language-yaml
# shellcheck source=lib/go-tool.sh
source "$ROOT/scripts/setup.d/lib/go-tool.sh"
DIR="$ROOT/tools/pulumi-engine/language-yaml"
V="$(awk '$1 == "github.com/pulumi/pulumi-yaml" { print $2 }' "$DIR/go.mod")"

go_tool_lock
go_tool_ensure pulumi-language-yaml "$DIR" github.com/pulumi/pulumi-yaml/cmd/pulumi-language-yaml \
  "$V" "-s -w -X github.com/pulumi/pulumi-yaml/pkg/version.Version=$V"
