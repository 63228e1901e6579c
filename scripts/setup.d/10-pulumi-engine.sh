#!/usr/bin/env bash
# The Pulumi engine, offline: `pulumi` of exactly the pinned @pulumi/pulumi version, the
# `pulumi-language-nodejs` host, and the `pulumi-resource-pulumi-nodejs` launcher, all in the
# git-ignored .tools/pulumi/bin/ (design: pulumi-notes.md part A; pins: tools/pulumi-engine/README.md).
#
# - A CLI and language host on PATH are used (symlinked) when `pulumi version` prints v<pinned>.
# - Otherwise each binary is built with the ordinary `go` client from the Go module proxy, via the
#   wrapper modules in tools/pulumi-engine/, with the release flags of Pulumi's .goreleaser.yml.
# - Each binary is reused while its stamp (pinned version, Go version, hash of its go.mod/go.sum)
#   matches; a good binary is never deleted before its replacement is built.
#
# Idempotent and safe to start concurrently (one builds, the others wait). Prints progress while
# building. PULUMI_ENGINE_REBUILD=1 forces a rebuild.
set -euo pipefail
cd "$(dirname "$0")/../.."
ROOT="$PWD"
OUT="$ROOT/.tools/pulumi/bin"
TOOLS="$ROOT/tools/pulumi-engine"
LH_TOOLS="$TOOLS/language-nodejs"
NODE="$ROOT/node_modules/.bin/node"
[ -x "$NODE" ] || NODE="node"

# The pinned version is what npm installed (package.json pins it exactly).
V="$("$NODE" -p 'require("@pulumi/pulumi/package.json").version')"
pkg_version="$(awk '$1 == "github.com/pulumi/pulumi/pkg/v3" { print $2 }' "$TOOLS/go.mod")"
if [ "$pkg_version" != "v$V" ]; then
  echo "pulumi-engine: tools/pulumi-engine/go.mod pins pkg/v3 $pkg_version but @pulumi/pulumi is $V;" >&2
  echo "  fix: cd tools/pulumi-engine && go get github.com/pulumi/pulumi/pkg/v3@v$V github.com/pulumi/pulumi/sdk/v3@v$V" >&2
  exit 1
fi
# The language host has no tags: a pseudo-version in its own wrapper module, built against (and
# stamped with) the pkg/sdk release it compiles with.
LH_VERSION="$(awk '$1 == "github.com/pulumi/pulumi/sdk/v3" { print $2 }' "$LH_TOOLS/go.mod")"

mkdir -p "$OUT"
# One installer at a time (several `npm test`/demo runs may start setup together); the others wait
# and then find the finished binaries.
exec 9>"$OUT/../.setup.lock"
if ! flock -n 9; then
  echo "pulumi-engine: another setup is installing the engine; waiting for it"
  flock 9
fi
install -m 755 "$ROOT/node_modules/@pulumi/pulumi/pulumi-resource-pulumi-nodejs" \
  "$OUT/pulumi-resource-pulumi-nodejs"

version_of() { PULUMI_SKIP_UPDATE_CHECK=true "$1" version 2>/dev/null | head -n 1 || true; }

# 1. A matching CLI (and language host) already on PATH, outside our own folder?
ambient="$(command -v pulumi || true)"
ambient_lh="$(command -v pulumi-language-nodejs || true)"
if [ -z "${PULUMI_ENGINE_REBUILD:-}" ] && [ -n "$ambient" ] && [ -n "$ambient_lh" ] &&
  [ "$(dirname "$(readlink -f "$ambient")")" != "$OUT" ] && [ "$(version_of "$ambient")" = "v$V" ]; then
  ln -sfn "$ambient" "$OUT/pulumi"
  ln -sfn "$ambient_lh" "$OUT/pulumi-language-nodejs"
  rm -f "$OUT/.stamp-pulumi" "$OUT/.stamp-pulumi-language-nodejs" # (the other parts keep theirs)
  echo "pulumi-engine: using pulumi v$V from PATH ($ambient)"
  exit 0
fi

# 2. Build from the Go module proxy.
GO="$(command -v go || true)"
[ -n "$GO" ] || GO=/usr/local/go/bin/go
if [ ! -x "$GO" ]; then
  echo "pulumi-engine: no Go toolchain (need go >= 1.25.11 on PATH or at /usr/local/go/bin/go)" >&2
  exit 1
fi
go_version="$("$GO" env GOVERSION)"
# Explicit settings; do not depend on the machine's GOFLAGS. The toolchain stays local (go.mod says
# `go 1.26`); go.sum is complete, so nothing is looked up in the checksum db; no VCS stamping (the
# wrapper modules sit inside this git repository).
export CGO_ENABLED=0 GOFLAGS="-mod=readonly -buildvcs=false" GOTOOLCHAIN=local

# ensure <name> <module dir> <package> <version stamp>: reuse or build $OUT/<name>. `go build -v`
# lists packages as they compile; a progress line per 100 (a first build compiles ~1700 packages
# for pulumi: minutes) plus a heartbeat while modules download. Not `go mod download`: it asks for
# every module's .info, which this proxy refuses for some pseudo-versions whose .mod/.zip it serves.
# Ends the heartbeat loop: killing its current `sleep` ends the loop (a killed subshell would leave
# the sleep holding stdout open for up to 30 s).
stop_heartbeat() {
  pkill -P "$1" sleep 2>/dev/null || true
  kill "$1" 2>/dev/null || true
}

ensure() {
  local name="$1" dir="$2" pkg="$3" version="$4" out="$OUT/$1" stamp start n=0 heartbeat
  stamp="$version $go_version $(cat "$dir/go.mod" "$dir/go.sum" | sha256sum | cut -c1-16)"
  if [ -z "${PULUMI_ENGINE_REBUILD:-}" ] && [ -x "$out" ] && [ -f "$OUT/.stamp-$name" ] &&
    [ "$(cat "$OUT/.stamp-$name")" = "$stamp" ]; then
    echo "pulumi-engine: reusing $name $version"
    return 0
  fi
  start=$(date +%s)
  echo "pulumi-engine: building $name $version with $go_version (downloads modules on first use; minutes)"
  # The heartbeat closes the lock fd: its last `sleep` outlives a kill and must not hold the lock.
  (
    exec 9>&-
    while sleep 30; do echo "  $name: still working ($(($(date +%s) - start))s)"; done
  ) &
  heartbeat=$!
  if ! (cd "$dir" && "$GO" build -v -trimpath -tags osusergo,grpcnotrace \
    -ldflags "-s -w -X github.com/pulumi/pulumi/sdk/v3/go/common/version.Version=$version" \
    -o "$out.tmp" "$pkg") 2>&1 |
    while IFS= read -r line; do
      case "$line" in
        *" "*) echo "  $line" ;; # downloads and diagnostics (package paths contain no spaces)
        *)
          n=$((n + 1))
          if [ $((n % 100)) -eq 0 ]; then echo "  $name: $n packages compiled ($(($(date +%s) - start))s)"; fi
          ;;
      esac
    done; then
    stop_heartbeat "$heartbeat"
    echo "pulumi-engine: building $name failed" >&2
    return 1
  fi
  stop_heartbeat "$heartbeat"
  mv -f "$out.tmp" "$out"
  echo "$stamp" >"$OUT/.stamp-$name"
  echo "pulumi-engine: $name built in $(($(date +%s) - start))s, $(du -h "$out" | cut -f1)"
}

ensure pulumi "$TOOLS" github.com/pulumi/pulumi/pkg/v3/cmd/pulumi "v$V"
ensure pulumi-language-nodejs "$LH_TOOLS" \
  github.com/pulumi/pulumi/sdk/nodejs/cmd/pulumi-language-nodejs/v3 "$LH_VERSION"
actual="$(version_of "$OUT/pulumi")"
if [ "$actual" != "v$V" ]; then
  echo "pulumi-engine: $OUT/pulumi reports '$actual', expected v$V; rerun with PULUMI_ENGINE_REBUILD=1" >&2
  exit 1
fi
echo "pulumi-engine: ready: $OUT ($(du -sh "$OUT" | cut -f1))"
