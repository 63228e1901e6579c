#!/usr/bin/env bash
# `pulumi-language-go`, the Go language host (Pulumi.yaml `runtime: go`), built from the Go module
# proxy into the git-ignored .tools/pulumi/bin/ (pins and why: tools/pulumi-engine/README.md).
# The module github.com/pulumi/pulumi/sdk/go/pulumi-language-go/v3 has no tags; the wrapper module
# tools/pulumi-engine/language-go/go.mod pins the one pseudo-version the proxy serves, built against
# (and stamped with) the pkg/sdk release it compiles with, like the nodejs host.
#
# Then it readies the test program tests/fixtures/go-program (sdk/v3 at the pinned @pulumi/pulumi
# version) for offline runs: `go mod download` fills the module cache with everything its go.mod
# lists (the host's plugin discovery asks `go mod download` for modules without a cache dir), and
# one `go build` with the settings tests/e2e/languageHosts.test.ts uses warms the build cache (the
# first compile of the SDK takes minutes on 2 cores; later `pulumi up`s take seconds).
#
# Idempotent, reused while its stamp matches, safe to start concurrently (scripts/setup.d/lib/
# go-tool.sh). It is supposed to build: a failure fails setup. PULUMI_ENGINE_REBUILD=1 rebuilds.
set -euo pipefail
cd "$(dirname "$0")/../.."
ROOT="$PWD"
PART=pulumi-language-go
# shellcheck source=lib/go-tool.sh
source "$ROOT/scripts/setup.d/lib/go-tool.sh"
DIR="$ROOT/tools/pulumi-engine/language-go"
V="$(awk '$1 == "github.com/pulumi/pulumi/sdk/v3" { print $2 }' "$DIR/go.mod")"
PROGRAM="$ROOT/tests/fixtures/go-program"

go_tool_lock
# The release flags of Pulumi's .goreleaser.yml for every language host (as 10-pulumi-engine.sh).
GT_TAGS=osusergo,grpcnotrace
go_tool_ensure pulumi-language-go "$DIR" github.com/pulumi/pulumi/sdk/go/pulumi-language-go/v3 "$V" \
  "-s -w -X github.com/pulumi/pulumi/sdk/v3/go/common/version.Version=$V"

# The test program: the same Go settings as the test's `pulumi up` (GOFLAGS/CGO from go_tool_go).
stamp="$go_version $(cat "$PROGRAM/go.mod" "$PROGRAM/go.sum" "$PROGRAM/main.go" | sha256sum | cut -c1-16)"
if [ -z "${PULUMI_ENGINE_REBUILD:-}" ] && [ -f "$GT_OUT/.stamp-go-program" ] &&
  [ "$(cat "$GT_OUT/.stamp-go-program")" = "$stamp" ]; then
  echo "$PART: reusing the warmed caches for tests/fixtures/go-program"
  exit 0
fi
start=$(date +%s)
echo "$PART: downloading and compiling tests/fixtures/go-program once (minutes on first use)"
(cd "$PROGRAM" && "$GO" mod download)
(
  exec 9>&- 2>/dev/null
  while sleep 30; do echo "  go-program: still compiling ($(($(date +%s) - start))s)"; done
) &
heartbeat=$!
if ! (cd "$PROGRAM" && "$GO" build -o /dev/null .); then
  go_tool_stop_heartbeat "$heartbeat"
  echo "$PART: tests/fixtures/go-program does not build" >&2
  exit 1
fi
go_tool_stop_heartbeat "$heartbeat"
echo "$stamp" >"$GT_OUT/.stamp-go-program"
echo "$PART: tests/fixtures/go-program ready in $(($(date +%s) - start))s"
