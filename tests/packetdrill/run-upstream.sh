#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Runs google/packetdrill's gtests/net/tcp scripts against the synack adapter and prints a
# markdown table: directory, scripts, passed, and the first error line of each failure.
# Usage: tests/packetdrill/run-upstream.sh GTESTS_NET_TCP_DIR [SUBDIR...]
# KERNEL=1 runs the same scripts against this machine's kernel instead (the yardstick).
# Needs root: each script runs in a private network namespace (unshare -n) with a dummy
# tun0 device, because the scripts begin with ../common/defaults.sh (sysctls, tc on tun0).
set -uo pipefail
top=$(cd "$1" && pwd); shift
build=$(cd "$(dirname "$0")/../../build" && pwd)
pd=${PACKETDRILL:-$(command -v packetdrill)}
so="$build/libsynack-packetdrill.so"
dirs=("$@")
if [ ${#dirs[@]} -eq 0 ]; then
    # Every directory with scripts, one level of subdirectories included (fastopen/client).
    dirs=($(cd "$top" && for d in */ */*/; do d=${d%/}; ls "$d"/*.pkt >/dev/null 2>&1 && echo "$d"; done))
fi
# The defines upstream's runner (gtests/net/packetdrill/run_all.py, CmdTestIPv4) passes to
# every IPv4 script: TFO_COOKIE is the cookie Linux gives 192.0.2.1 under defaults.sh's key
# a1a1a1a1-b2b2b2b2-c3c3c3c3-d4d4d4d4 (SipHash-2-4, which synack computes alike).
defines="-D TFO_COOKIE=3021b9d889017eeb -D CODE=host_unreachable -D CMSG_LEVEL_IP=SOL_IP \
 -D CMSG_TYPE_RECVERR=IP_RECVERR"
echo "| directory | scripts | passed |"
echo "|---|---|---|"
failures=()
for d in "${dirs[@]}"; do
    n=0; p=0
    for f in "$top/$d"/*.pkt; do
        [ -f "$f" ] || continue
        n=$((n + 1))
        if [ -n "${KERNEL:-}" ]; then
            # The same script against this machine's kernel (packetdrill's local mode makes
            # its own tun0 in the private namespace).
            out=$(cd "$top/$d" && timeout 120 unshare -n sh -c \
                  "ip link set lo up; exec \"$pd\" $defines $(basename "$f")" 2>&1)
        else
            # Addresses: 192.168.0.1 and 192.0.2.1 (those of TFO_COOKIE), unless the script
            # sets its own (fastopen/server/simple*.pkt: their cookies depend on them).
            ips="--local_ip=192.168.0.1 --remote_ip=192.0.2.1"
            grep -q '^--local_ip\|^--remote_ip' "$f" && ips=
            out=$(cd "$top/$d" && timeout 120 unshare -n sh -c \
                  "ip tuntap add tun0 mode tun 2>/dev/null; exec env LD_PRELOAD=\"$so\" \"$pd\" --so_filename=\"$so\" \
                   $ips $defines $(basename "$f")" 2>&1)
        fi
        if [ $? -eq 0 ]; then
            p=$((p + 1))
        else
            # packetdrill's own error line (script:line:) or the adapter's; else the first
            # line (a failed command's stderr before it is not the reason).
            why=$(echo "$out" | grep -m1 '\.pkt:[0-9]*:\|^synack-packetdrill:' | cut -c1-160)
            [ -n "$why" ] || why=$(echo "$out" | grep -v 'congestion_control\|^$' | head -1 | cut -c1-160)
            failures+=("$d/$(basename "$f"): $why")
        fi
    done
    echo "| $d | $n | $p |"
done
echo
for f in "${failures[@]}"; do echo "- $f"; done
