# Sourced by the setup parts that build one Pulumi plugin from the Go module proxy through a wrapper
# module in tools/pulumi-engine/ (12-pulumi-language-yaml.sh, 14-pulumi-language-go.sh,
# 16-pulumi-resource-random.sh). The same rules as 10-pulumi-engine.sh, which has its own copy:
#
# - one installer at a time: the lock is the one 10-pulumi-engine.sh takes, so builds on this
#   2-core machine never overlap and concurrent setups wait and then reuse;
# - a binary is reused while its stamp (its version, the Go version, a hash of the wrapper module's
#   go.mod/go.sum and of any extra inputs) matches; PULUMI_ENGINE_REBUILD=1 forces a rebuild;
# - a good binary is never deleted before its replacement is built (built to .tmp, then renamed);
# - explicit Go settings (no dependence on the machine's GOFLAGS): CGO off, -mod=readonly with a
#   complete go.sum (no checksum-db lookups), no VCS stamping, the local toolchain only;
# - progress: a line per 100 compiled packages and a heartbeat every 30 s.
#
# Callers set ROOT (repository root) and PART (a log prefix), then call go_tool_lock and
# go_tool_ensure. Needs bash with `set -euo pipefail`.

GT_OUT="$ROOT/.tools/pulumi/bin"

go_tool_lock() {
  mkdir -p "$GT_OUT"
  exec 9>"$GT_OUT/../.setup.lock"
  if ! flock -n 9; then
    echo "$PART: another setup is installing the engine; waiting for it"
    flock 9
  fi
}

go_tool_go() {
  GO="$(command -v go || true)"
  [ -n "$GO" ] || GO=/usr/local/go/bin/go
  if [ ! -x "$GO" ]; then
    echo "$PART: no Go toolchain (need go >= 1.25.11 on PATH or at /usr/local/go/bin/go)" >&2
    return 1
  fi
  go_version="$("$GO" env GOVERSION)"
  export CGO_ENABLED=0 GOFLAGS="-mod=readonly -buildvcs=false" GOTOOLCHAIN=local
}

# Ends the heartbeat loop by killing its current `sleep` (a killed subshell alone would leave the
# sleep holding stdout open for up to 30 s).
go_tool_stop_heartbeat() {
  pkill -P "$1" sleep 2>/dev/null || true
  kill "$1" 2>/dev/null || true
}

# go_tool_ensure <name> <module dir> <package> <version> <ldflags> [extra stamp input...]
#   Reuses or builds $GT_OUT/<name> with `go build -trimpath -ldflags "<ldflags>" <package>` run in
#   <module dir> (plus `-tags "$GT_TAGS"` when set). The stamp covers package, ldflags and tags;
#   extra stamp inputs are files (hashed) whose change forces a rebuild. Sets GT_BUILT=1 when it
#   built. Returns non-zero when the build fails (the old binary stays).
go_tool_ensure() {
  local name="$1" dir="$2" pkg="$3" version="$4" ldflags="$5" out="$GT_OUT/$1" stamp start n=0 heartbeat
  shift 5
  GT_BUILT=0
  [ -n "${go_version:-}" ] || go_tool_go
  stamp="$version $go_version $({ cat "$dir/go.mod" "$dir/go.sum" "$@" && echo "$pkg $ldflags ${GT_TAGS:-}"; } |
    sha256sum | cut -c1-16)"
  if [ -z "${PULUMI_ENGINE_REBUILD:-}" ] && [ -x "$out" ] && [ -f "$GT_OUT/.stamp-$name" ] &&
    [ "$(cat "$GT_OUT/.stamp-$name")" = "$stamp" ]; then
    echo "$PART: reusing $name $version"
    return 0
  fi
  start=$(date +%s)
  echo "$PART: building $name $version with $go_version (downloads modules on first use; minutes)"
  # The heartbeat closes the lock fd (its last `sleep` outlives a kill and must not hold the lock)
  # and its stderr (bash would report the killed `sleep` as "Terminated").
  (
    exec 9>&- 2>/dev/null
    while sleep 30; do echo "  $name: still working ($(($(date +%s) - start))s)"; done
  ) &
  heartbeat=$!
  if ! (cd "$dir" && "$GO" build -v -trimpath ${GT_TAGS:+-tags "$GT_TAGS"} -ldflags "$ldflags" -o "$out.tmp" "$pkg") 2>&1 |
    while IFS= read -r line; do
      case "$line" in
        *" "*) echo "  $line" ;; # downloads and diagnostics (package paths contain no spaces)
        *)
          n=$((n + 1))
          if [ $((n % 100)) -eq 0 ]; then echo "  $name: $n packages compiled ($(($(date +%s) - start))s)"; fi
          ;;
      esac
    done; then
    go_tool_stop_heartbeat "$heartbeat"
    rm -f "$out.tmp"
    echo "$PART: building $name failed" >&2
    return 1
  fi
  go_tool_stop_heartbeat "$heartbeat"
  mv -f "$out.tmp" "$out"
  echo "$stamp" >"$GT_OUT/.stamp-$name"
  GT_BUILT=1
  echo "$PART: $name built in $(($(date +%s) - start))s, $(du -h "$out" | cut -f1)"
}
