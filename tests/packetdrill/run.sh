#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Runs synack's own packetdrill scripts (this directory) against the adapter.
# Usage: tests/packetdrill/run.sh BUILD_DIR
# Needs a packetdrill binary on PATH or named by PACKETDRILL=; skips (and says so) without.
# As root, each script runs inside a private network namespace (unshare -n), so the sysctl
# lines of defaults.sh never touch the host.
set -uo pipefail
build=$(cd "${1:-build}" && pwd)
here=$(cd "$(dirname "$0")" && pwd)
pd=${PACKETDRILL:-$(command -v packetdrill || true)}
so="$build/libsynack-packetdrill.so"
if [ -z "$pd" ] || [ ! -x "$pd" ]; then
    echo "packetdrill: skipped (no packetdrill binary on PATH; set PACKETDRILL=/path/to/packetdrill)"
    exit 0
fi
if [ ! -f "$so" ]; then
    echo "packetdrill: FAIL ($so not built)"
    echo "packetdrill: 0 passed, 1 failed"
    exit 1
fi
wrap=()
if [ "$(id -u)" = 0 ] && command -v unshare >/dev/null; then wrap=(unshare -n); fi
pass=0; fail=0
cd "$here"
for f in *.pkt; do
    out=$(timeout 120 "${wrap[@]}" "$pd" --so_filename="$so" --local_ip=192.168.0.1 \
          --remote_ip=192.0.2.1 "$f" 2>&1)
    if [ $? -eq 0 ]; then
        pass=$((pass + 1)); echo "ok   packetdrill $f"
    else
        fail=$((fail + 1)); echo "FAIL packetdrill $f"; echo "$out" | sed 's/^/    /' | head -8
    fi
done
echo "packetdrill: ${pass} passed, ${fail} failed"
[ "$fail" -eq 0 ]
