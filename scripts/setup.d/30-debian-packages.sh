#!/usr/bin/env bash
# Debian packages some test suites use:
# - ucarp and iproute2 for the real-CARP suite (tests/carp): a CARP implementation that runs
#   unmodified in network namespaces (design/ucarp-notes.md), and `ip netns`, veth, bridge;
# - php-cli for the suite that runs the library's exec_php snippets in PHP itself
#   (tests/pfsense/snippetsInPhp.test.ts).
# Idempotent: does nothing when all are present. Where packages cannot be installed (not root,
# no apt-get) it says so and succeeds; those suites then skip with a clear message.
set -euo pipefail

if command -v ucarp >/dev/null 2>&1 && command -v ip >/dev/null 2>&1 && command -v php >/dev/null 2>&1; then
  echo "debian packages: ucarp, iproute2 and php-cli already installed"
  exit 0
fi
if ! command -v apt-get >/dev/null 2>&1; then
  echo "debian packages: apt-get not available; the real-CARP and PHP snippet suites will skip"
  exit 0
fi
SUDO=""
if [ "$(id -u)" != "0" ]; then
  if command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
    SUDO="sudo -n"
  else
    echo "debian packages: not root and no passwordless sudo; the real-CARP and PHP snippet suites will skip"
    exit 0
  fi
fi
export DEBIAN_FRONTEND=noninteractive
echo "debian packages: installing ucarp iproute2 php-cli"
$SUDO apt-get update -qq
# --no-install-recommends: ucarp recommends isc-dhcp-client, which the suite does not need.
$SUDO apt-get install -y -qq --no-install-recommends ucarp iproute2 php-cli >/dev/null
echo "debian packages: $(ucarp --help 2>&1 | grep -m1 ucarp || true); $(php --version | head -1)"
