#!/usr/bin/env bash
# Debian packages for the real-CARP test suite (tests/carp): ucarp (a CARP implementation that runs
# unmodified in network namespaces, see design/ucarp-notes.md) and iproute2 (`ip netns`, veth,
# bridge). Idempotent: does nothing when both are present. Where packages cannot be installed
# (not root, no apt-get) it says so and succeeds; the suite then skips with a clear message.
set -euo pipefail

if command -v ucarp >/dev/null 2>&1 && command -v ip >/dev/null 2>&1; then
  echo "carp packages: ucarp and iproute2 already installed"
  exit 0
fi
if ! command -v apt-get >/dev/null 2>&1; then
  echo "carp packages: apt-get not available; the real-CARP suite will skip"
  exit 0
fi
SUDO=""
if [ "$(id -u)" != "0" ]; then
  if command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
    SUDO="sudo -n"
  else
    echo "carp packages: not root and no passwordless sudo; the real-CARP suite will skip"
    exit 0
  fi
fi
export DEBIAN_FRONTEND=noninteractive
echo "carp packages: installing ucarp iproute2"
$SUDO apt-get update -qq
# --no-install-recommends: ucarp recommends isc-dhcp-client, which the suite does not need.
$SUDO apt-get install -y -qq --no-install-recommends ucarp iproute2 >/dev/null
echo "carp packages: $(ucarp --help 2>&1 | grep -m1 ucarp || true)"
