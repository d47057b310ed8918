#!/usr/bin/env bash
# Installs what the test suite needs on Debian, when missing: cmocka (unit test framework),
# tshark (checks our pcap files), a C compiler and make. Needs root for apt-get.
set -euo pipefail
need=()
[ -f /usr/include/cmocka.h ] || need+=(libcmocka-dev)
command -v tshark >/dev/null 2>&1 || need+=(tshark)
command -v cc >/dev/null 2>&1 || need+=(gcc)
command -v valgrind >/dev/null 2>&1 || need+=(valgrind)
if [ ${#need[@]} -eq 0 ]; then exit 0; fi
if [ "$(id -u)" != 0 ]; then
    echo "install-deps: missing ${need[*]}; run as root or: apt-get install ${need[*]}" >&2
    [ -f /usr/include/cmocka.h ] || exit 1
    exit 0
fi
echo "install-deps: installing ${need[*]}"
export DEBIAN_FRONTEND=noninteractive
echo "wireshark-common wireshark-common/install-setuid boolean false" | debconf-set-selections 2>/dev/null || true
apt-get update -qq
apt-get install -y -qq "${need[@]}" >/dev/null
