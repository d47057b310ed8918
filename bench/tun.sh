#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# make bench-tun: synack on a TUN device against the kernel's TCP, both directions, beside the
# kernel against itself over a veth pair, all in this run, in private network namespaces made
# here (addresses from 198.18.0.0/15 only; every wait bounded by timeout). Each transfer moves
# BYTES of a pattern that the receiver checks word by word (bench/bench_tun.c). Prints wall
# time and CPU-seconds (both ends' processes, user + system) per transfer, Gbit/s in both
# units, and synack's ratio to the kernel-over-veth figure. Needs root; skips otherwise.
# Usage: bench/tun.sh [BUILD_DIR] [MIB]        (default build, 1024 MiB)
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/.." && pwd)
build=$(cd "${1:-$top/build}" && pwd)
mib=${2:-1024}
bytes=$((mib * 1024 * 1024))
bin="$build/bench/bench_tun"
limit=$((60 + mib / 8)) # seconds allowed per transfer

[ "$(id -u)" = 0 ] || { echo "bench-tun: skipped: needs root (network namespaces, TUN devices)"; exit 0; }
[ -c /dev/net/tun ] || { echo "bench-tun: skipped: /dev/net/tun is missing"; exit 0; }
[ -x "$bin" ] || { echo "bench-tun: $bin not built"; exit 1; }
command -v ip > /dev/null || { echo "bench-tun: skipped: ip (iproute2) is not installed"; exit 0; }

tag="synack-bench-$$"
namespaces=()
cleanup() {
    for ns in "${namespaces[@]}"; do
        ip netns pids "$ns" 2>/dev/null | xargs -r kill -9 2>/dev/null
        ip netns del "$ns" 2>/dev/null
    done
    rm -rf "$work"
}
work=$(mktemp -d /tmp/synack-bench.XXXXXX)
trap cleanup EXIT
mkns() { ip netns add "$1" && namespaces+=("$1") && ip netns exec "$1" ip link set lo up; }
mkns "$tag-probe" 2>/dev/null || { echo "bench-tun: skipped: cannot create network namespaces"; exit 0; }

# The TUN namespace: device synack0, kernel side 198.18.0.1/24, synack 198.18.0.2.
mkns "$tag-tun"
ip netns exec "$tag-tun" ip tuntap add synack0 mode tun
ip netns exec "$tag-tun" ip addr add 198.18.0.1/24 dev synack0
ip netns exec "$tag-tun" ip link set synack0 up
# The veth pair: 198.18.1.1 in one namespace, 198.18.1.2 in the other, default offloads.
mkns "$tag-a"
mkns "$tag-b"
ip link add "sb$$a" type veth peer name "sb$$b"
ip link set "sb$$a" netns "$tag-a"
ip link set "sb$$b" netns "$tag-b"
ip netns exec "$tag-a" ip addr add 198.18.1.1/24 dev "sb$$a"
ip netns exec "$tag-b" ip addr add 198.18.1.2/24 dev "sb$$b"
ip netns exec "$tag-a" ip link set "sb$$a" up
ip netns exec "$tag-b" ip link set "sb$$b" up

# Machine-wide busy CPU time (all CPUs, jiffies), a cross-check that includes softirq work
# done outside the two processes (and anything else the machine is doing).
busy() { awk '/^cpu /{print $2+$3+$4+$7+$8}' /proc/stat; }
hz=$(getconf CLK_TCK)

# transfer NAME RECV_NS RECV_ARGS... -- SEND_NS SEND_ARGS...: receiver first (it prints
# "listening"), then the sender; prints one summary line and keeps the raw lines.
transfer() {
    local name=$1 rns=$2; shift 2
    local rargs=() sargs=() sns
    while [ "$1" != -- ]; do rargs+=("$1"); shift; done
    shift; sns=$1; shift; sargs=("$@")
    local out="$work/$name"
    : > "$out.r"
    ip netns exec "$rns" timeout $limit "$bin" --timeout $limit "${rargs[@]}" > "$out.r" 2> "$out.re" &
    local rp=$!
    for _ in $(seq 100); do grep -q listening "$out.r" && break; sleep 0.05; done
    local b0 t0 b1 t1
    b0=$(busy); t0=$(date +%s%N)
    ip netns exec "$sns" timeout $limit "$bin" --timeout $limit "${sargs[@]}" > "$out.s" 2> "$out.se"
    local src=$?
    wait $rp
    local rrc=$?
    b1=$(busy); t1=$(date +%s%N)
    local rl sl
    rl=$(grep bytes= "$out.r"); sl=$(grep bytes= "$out.s")
    echo "  $rl" >> "$work/raw"; echo "  $sl" >> "$work/raw"
    if [ $src -ne 0 ] || [ $rrc -ne 0 ] || ! grep -q verified=yes <<< "$rl"; then
        printf '  %-34s FAILED (sender exit %d, receiver exit %d): %s %s\n' "$name" $src $rrc \
            "$(tail -1 "$out.se")" "$(tail -1 "$out.re")"
        echo "$name 0 0" >> "$work/figures"
        return 1
    fi
    local wall cpu
    wall=$(sed 's/.* wall=\([0-9.]*\).*/\1/' <<< "$rl")
    cpu=$(awk '{for (i = 1; i <= NF; i++) if ($i ~ /^cpu=/) { sub("cpu=", "", $i); s += $i }} END {print s}' \
        <<< "$rl"$'\n'"$sl")
    local mach
    mach=$(awk -v a="$b0" -v b="$b1" -v hz="$hz" 'BEGIN{printf "%.2f", (b - a) / hz}')
    awk -v n="$name" -v by="$bytes" -v w="$wall" -v c="$cpu" -v m="$mach" 'BEGIN {
        printf "  %-34s %7.3f s wall %7.3f CPU-s  %6.2f Gbit/s wall %6.2f Gbit/s per CPU-s  (machine busy %s CPU-s)\n",
            n, w, c, by * 8 / w / 1e9, by * 8 / c / 1e9, m }'
    echo "$name $(awk -v by="$bytes" -v w="$wall" -v c="$cpu" 'BEGIN{print by*8/w/1e9, by*8/c/1e9}')" \
        >> "$work/figures"
}

echo "command: bench/tun.sh $build $mib   (make bench-tun)"
echo "machine: $(nproc) CPUs, $(awk -F': ' '/model name/{print $2; exit}' /proc/cpuinfo), kernel $(uname -r)"
echo "each transfer: $mib MiB, pattern-checked by the receiver; figures printed, not asserted"
echo
tun=$tag-tun
transfer kernel-veth "$tag-b" kernel-recv 198.18.1.2 5001 $bytes -- "$tag-a" kernel-send 198.18.1.2 5001 $bytes
transfer synack-to-kernel-tun "$tun" kernel-recv 198.18.0.1 5002 $bytes -- "$tun" synack-send 198.18.0.1 5002 $bytes
transfer kernel-to-synack-tun "$tun" synack-recv 0 5003 $bytes -- "$tun" kernel-send 198.18.0.2 5003 $bytes
transfer synack-to-kernel-tun-no-offload "$tun" kernel-recv 198.18.0.1 5004 $bytes -- "$tun" --no-offload synack-send 198.18.0.1 5004 $bytes
transfer kernel-to-synack-tun-no-offload "$tun" --no-offload synack-recv 0 5005 $bytes -- "$tun" kernel-send 198.18.0.2 5005 $bytes
echo
awk 'NR == 1 { kw = $2; kc = $3 } NR > 1 && kw > 0 && $2 > 0 {
        printf "  ratio %-34s %5.2fx wall, %5.2fx per CPU-s (target >= 1x kernel-veth)\n", $1, $2 / kw, $3 / kc }' \
    "$work/figures"
echo
echo "raw lines (receiver, then sender; cpu = user + sys of that process):"
cat "$work/raw"
