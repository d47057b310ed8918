#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Runs freebsd-net/tcp-testsuite's IPv4 scripts against the synack adapter (or, with
# `kernel`, against the Linux kernel) and prints a per-directory table; every script's result
# goes to OUT (default build/freebsd-<mode>.txt).
# FreeBSD's defaults differ from Linux's, so each script is relaxed first (into a temporary
# copy): shell commands (FreeBSD sysctl, sockstat) and SO_RCVBUF/SO_SNDBUF checks are
# dropped, and outbound packets are matched without their window and TCP options.
# Usage: tests/packetdrill/run-freebsd.sh SUITE_DIR [kernel] [OUT]
# Needs root (each script runs in its own network namespace, unshare -n) and python3;
# PACKETDRILL= names the binary if it is not on PATH; TIMEOUT= seconds per script (30).
set -uo pipefail
suite=$(cd "$1" && pwd)
mode=${2:-synack}
build=$(cd "$(dirname "$0")/../../build" && pwd)
out=${3:-$build/freebsd-$mode.txt}
pd=${PACKETDRILL:-$(command -v packetdrill)}
so="$build/libsynack-packetdrill.so"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

relax() {
    python3 - "$1" <<'EOF'
import re, sys
for line in open(sys.argv[1]):
    if '`' in line or 'SO_RCVBUF' in line or 'SO_SNDBUF' in line:
        continue
    m = re.match(r'^(\s*[-+\d.~]+\s+>\s)(.*)$', line.rstrip('\n'))
    if m:
        body, comment = m.group(2), ''
        if '//' in body:
            body, comment = body.split('//', 1)
            comment = ' //' + comment
        body = re.sub(r'\s+win\s+\d+', '', body)
        line = m.group(1) + re.sub(r'<[^>]*>', '', body).rstrip() + ' <...>' + comment + '\n'
    sys.stdout.write(line)
EOF
}

: >"$out"
dirs=()
while read -r f; do
    rel=${f#"$suite"/}
    mkdir -p "$tmp/$(dirname "$rel")"
    relax "$f" >"$tmp/$rel"
    d=${rel%%/*}
    [[ " ${dirs[*]-} " == *" $d "* ]] || dirs+=("$d")
    cd "$tmp/$(dirname "$rel")" || exit 1
    if [ "$mode" = kernel ]; then
        res=$(timeout "${TIMEOUT:-30}" unshare -n sh -c \
              "ip link set lo up; exec \"$pd\" $(basename "$rel")" 2>&1)
    else
        res=$(timeout "${TIMEOUT:-30}" unshare -n sh -c "exec \"$pd\" --so_filename=\"$so\" \
              --local_ip=192.168.0.1 --remote_ip=192.0.2.1 $(basename "$rel")" 2>&1)
    fi
    if [ $? -eq 0 ]; then
        echo "pass $rel" >>"$out"
    else
        echo "FAIL $rel: $(echo "$res" | grep -v '^$' | head -1 | cut -c1-160)" >>"$out"
    fi
done < <(find "$suite" -name '*.pkt' ! -name '*ipv6*' ! -path '*/snippets/*' | sort)
echo "| directory | scripts | passed ($mode) |"
echo "|---|---|---|"
for d in "${dirs[@]}"; do
    echo "| $d | $(grep -c " $d/" "$out") | $(grep -c "^pass $d/" "$out") |"
done
echo "| all | $(wc -l <"$out") | $(grep -c '^pass' "$out") |"
