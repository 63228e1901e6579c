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
# Last, tests/fixtures/go-cluster (tests/e2e/goProgram.test.ts: the tutorial cluster on the Go SDK
# that `pulumi package gen-sdk` generates at test time). It cannot be built here (the SDK needs the
# compiled plugin, and setup runs before `npm run build`), so only its modules are fetched: those
# its go.sum lists beyond go-program's (`go mod download` for a module, `go list -m` when only its
# go.mod is listed), which makes its `pulumi up` with GOPROXY=off work.
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
else
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
fi

# The Go cluster program's extra modules (module@version lines of its go.sum not in go-program's).
CLUSTER="$ROOT/tests/fixtures/go-cluster"
stamp="$go_version $(cat "$PROGRAM/go.sum" "$CLUSTER/go.sum" | sha256sum | cut -c1-16)"
if [ -z "${PULUMI_ENGINE_REBUILD:-}" ] && [ -f "$GT_OUT/.stamp-go-cluster" ] &&
  [ "$(cat "$GT_OUT/.stamp-go-cluster")" = "$stamp" ]; then
  echo "$PART: reusing the module cache for tests/fixtures/go-cluster"
  exit 0
fi
# Outside any module (the fixture's `replace` names the SDK generated at test time).
scratch="$(mktemp -d)"
trap 'rm -rf "$scratch"' EXIT
n=0
while read -r mod ver _; do
  n=$((n + 1))
  case "$ver" in
    */go.mod) (cd "$scratch" && "$GO" list -m "$mod@${ver%/go.mod}" >/dev/null) ;;
    *) (cd "$scratch" && "$GO" mod download "$mod@$ver") ;;
  esac || {
    echo "$PART: cannot fetch $mod@$ver for tests/fixtures/go-cluster" >&2
    exit 1
  }
done < <(comm -13 <(sort "$PROGRAM/go.sum") <(sort "$CLUSTER/go.sum"))
echo "$stamp" >"$GT_OUT/.stamp-go-cluster"
echo "$PART: tests/fixtures/go-cluster's $n extra go.sum entries are in the module cache"
