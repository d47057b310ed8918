#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Runs a command inside a private network namespace prepared for synack: a persistent TUN
# device (default synack0) whose kernel side has 198.18.0.1/24 (RFC 2544 benchmarking
# range), loopback up. Nothing leaks outside; the namespace is deleted afterwards.
#   scripts/netns.sh [--tun NAME] [--kernel-addr A.B.C.D/NN] -- COMMAND [ARGS...]
# Example: scripts/netns.sh -- sh -c 'build/synack http serve . --port 8080 & sleep 1;
#          curl http://198.18.0.2:8080/README.md; kill $!'
set -euo pipefail
tun=synack0
kaddr=198.18.0.1/24
while [ $# -gt 0 ]; do
    case "$1" in
        --tun) tun=$2; shift 2 ;;
        --kernel-addr) kaddr=$2; shift 2 ;;
        --) shift; break ;;
        -h|--help) sed -n '2,/^set /{/^set /d;/SPDX/d;s/^# \{0,1\}//;p}' "$0"; exit 0 ;;
        *) break ;;
    esac
done
[ $# -gt 0 ] || { echo "netns.sh: no command given (see --help)" >&2; exit 2; }
if [ "$(id -u)" != 0 ]; then echo "netns.sh: needs root (ip netns)" >&2; exit 1; fi
ns="synack-$$-$RANDOM"
ip netns add "$ns"
trap 'ip netns del "$ns" 2>/dev/null || true' EXIT
ip netns exec "$ns" ip link set lo up
ip netns exec "$ns" ip tuntap add "$tun" mode tun
ip netns exec "$ns" ip addr add "$kaddr" dev "$tun"
ip netns exec "$ns" ip link set "$tun" up
ip netns exec "$ns" "$@"
