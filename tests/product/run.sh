#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Product checks: what a newcomer touches before the engine. No root needed, nothing on the
# network. Installs into a temporary prefix (and a DESTDIR stage) and builds an example
# against it with pkg-config, shared and static; checks the exported symbols, the secret
# rules, the man page, the licence, the config reference, quiet build output, and the
# tools' errors for bad arguments. Usage: tests/product/run.sh [BUILD_DIR]
# Ends with "product: N passed, N failed".
set -uo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
cd "$top"
build=${1:-build}
tmp=$(mktemp -d /tmp/synack-product.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
pass=0; fail=0
ok() { pass=$((pass + 1)); echo "ok   product $1"; }
bad() { fail=$((fail + 1)); echo "FAIL product $1: $2"; }
check() { # check NAME COMMAND...: passes when COMMAND exits 0; its output shows on failure
    local name=$1; shift
    if "$@" > "$tmp/out" 2>&1; then ok "$name"; else bad "$name" "$(tail -5 "$tmp/out")"; fi
}
version=$(sed -n 's/^VERSION *:= *//p' Makefile)
sover=$(sed -n 's/^SOVERSION *:= *//p' Makefile)
CC=${CC:-cc}
STRICT="-std=c11 -Wall -Wextra -Werror -pedantic"

t_license() {
    grep -q "^MIT License" LICENSE && grep -q "Copyright (c) 2026 the synack authors" LICENSE
}
check licence-mit t_license
# Every source file names its licence. Enabled once the SPDX lines are in (scripts/spdx.sh add):
check spdx-line-in-every-source-file bash scripts/spdx.sh check

# --- make install into a temporary prefix ---------------------------------------------------
prefix=$tmp/prefix
t_install() {
    make --no-print-directory BUILD="$build" install PREFIX="$prefix" || return 1
    local f
    for f in include/synack/synack.h include/synack/secret.h lib/libsynack.a \
        "lib/libsynack.so.$version" lib/pkgconfig/synack.pc bin/synack share/man/man1/synack.1; do
        [ -f "$prefix/$f" ] || { echo "missing $f"; return 1; }
    done
    [ "$(readlink "$prefix/lib/libsynack.so.$sover")" = "libsynack.so.$version" ] || return 1
    [ -L "$prefix/lib/libsynack.so" ] || return 1
    for f in include/synack/*.h; do cmp -s "$f" "$prefix/$f" || { echo "differs: $f"; return 1; }; done
}
check install-temp-prefix t_install
export PKG_CONFIG_PATH=$prefix/lib/pkgconfig
t_pc() {
    [ "$(pkg-config --modversion synack)" = "$version" ] &&
        [ "$(pkg-config --variable=libdir synack)" = "$prefix/lib" ] &&
        pkg-config --cflags synack | grep -q -- "-I$prefix/include"
}
check pkg-config-synack t_pc
t_soname() {
    readelf -d "$prefix/lib/libsynack.so.$version" | grep -q "SONAME.*\[libsynack.so.$sover\]"
}
check shared-library-soname t_soname

# Only the public API leaves the shared library: every exported symbol is synack_*, versioned
# SYNACK_0, and every function the installed headers declare is exported.
t_exports() {
    nm -D --defined-only "$prefix/lib/libsynack.so" | awk '{print $3}' | sed 's/@.*//' |
        sort -u > "$tmp/exported"
    local stray
    stray=$(grep -v -e '^synack_' -e '^SYNACK_0$' "$tmp/exported")
    [ -z "$stray" ] || { echo "exported but not public: $stray"; return 1; }
    objdump -T "$prefix/lib/libsynack.so" | grep ' synack_' | grep -vq 'SYNACK_0' &&
        { echo "unversioned symbols"; return 1; }
    grep -ohE '\bsynack_[a-z0-9_]+ *\(' "$prefix"/include/synack/*.h | tr -d ' (' | sort -u > "$tmp/declared"
    local missing
    missing=$(comm -23 "$tmp/declared" "$tmp/exported")
    [ -z "$missing" ] || { echo "declared but not exported: $missing"; return 1; }
    [ "$(wc -l < "$tmp/declared")" -gt 40 ]
}
check shared-library-exports-public-api-only t_exports

# An example built with pkg-config: against the shared library, then the static one.
t_shared_example() {
    # shellcheck disable=SC2046
    $CC $STRICT -o "$tmp/echo_shared" examples/echo_sim.c $(pkg-config --cflags --libs synack) || return 1
    readelf -d "$tmp/echo_shared" | grep -q "NEEDED.*libsynack.so.$sover" || { echo "not linked to libsynack.so.$sover"; return 1; }
    LD_LIBRARY_PATH=$prefix/lib timeout 60 "$tmp/echo_shared" 200000 | grep -q "echoed intact"
}
check example-pkg-config-shared t_shared_example
t_static_example() {
    # shellcheck disable=SC2046
    $CC $STRICT -o "$tmp/echo_static" examples/echo_sim.c $(pkg-config --cflags synack) \
        $(pkg-config --libs-only-L synack) -Wl,-Bstatic $(pkg-config --static --libs-only-l synack) \
        -Wl,-Bdynamic || return 1
    readelf -d "$tmp/echo_static" | grep -q libsynack && { echo "still needs libsynack.so"; return 1; }
    timeout 60 "$tmp/echo_static" 200000 | grep -q "echoed intact"
}
check example-pkg-config-static t_static_example
t_secret() {
    # shellcheck disable=SC2046
    $CC $STRICT -o "$tmp/secret_check" tests/product/secret_check.c $(pkg-config --cflags --libs synack) &&
        LD_LIBRARY_PATH=$prefix/lib timeout 20 "$tmp/secret_check"
}
check secret-all-zero-refused-random-helper t_secret
t_tool() { "$prefix/bin/synack" --help | grep -q "usage: synack"; }
check installed-tool-runs t_tool

# The man page renders with Debian's man (groff) without a warning.
if command -v man >/dev/null 2>&1; then
    t_man() {
        local warn
        warn=$(MANWIDTH=80 man --warnings -E UTF-8 -l "$prefix/share/man/man1/synack.1" 2>&1 >"$tmp/man.txt")
        [ -z "$warn" ] || { echo "$warn"; return 1; }
        grep -q "SYNOPSIS" "$tmp/man.txt" && grep -q "http serve" "$tmp/man.txt"
    }
    check man-page-renders t_man
else
    echo "skip product man-page-renders (man is not installed: apt-get install man-db)"
fi

t_uninstall() {
    make --no-print-directory BUILD="$build" uninstall PREFIX="$prefix" || return 1
    local left
    left=$(find "$prefix" -type f -o -type l)
    [ -z "$left" ] || { echo "left behind: $left"; return 1; }
}
check uninstall-removes-everything t_uninstall

t_destdir() {
    make --no-print-directory BUILD="$build" install DESTDIR="$tmp/stage" PREFIX=/usr || return 1
    [ -f "$tmp/stage/usr/lib/libsynack.a" ] && [ -f "$tmp/stage/usr/bin/synack" ] &&
        grep -q '^prefix=/usr$' "$tmp/stage/usr/lib/pkgconfig/synack.pc" &&
        grep -q '^libdir=/usr/lib$' "$tmp/stage/usr/lib/pkgconfig/synack.pc"
}
check install-destdir-stage t_destdir

# --- docs -----------------------------------------------------------------------------------
# Every field of struct synack_config appears in docs/config.md.
t_config_doc() {
    local fields missing=""
    fields=$(awk '/^struct synack_config \{/{on=1; next} on && /^\};/{on=0} on' include/synack/config.h |
        sed -e 's|/\*.*\*/||g' | awk '/\/\*/{c=1} !c{print} /\*\//{c=0}' | tr '\n' ' ' | tr ';' '\n' |
        sed -nE -e 's/.*\(\*([a-z_0-9]+)\).*/\1/p' -e 't' -e 's/.*[ *]([a-z_0-9]+)(\[[0-9]+\])? *$/\1/p')
    [ "$(echo "$fields" | wc -w)" -gt 30 ] || { echo "could not read config.h: $fields"; return 1; }
    for f in $fields; do grep -q "\`$f\`" docs/config.md || missing="$missing $f"; done
    [ -z "$missing" ] || { echo "docs/config.md lacks:$missing"; return 1; }
}
check config-reference-covers-every-field t_config_doc
# make docs: the API reference generated from the headers names every public function.
t_api_doc() {
    make --no-print-directory BUILD="$tmp/b" docs > /dev/null || return 1
    local f missing=""
    for f in $(grep -ohE '\bsynack_[a-z0-9_]+ *\(' include/synack/*.h | tr -d ' (' | sort -u); do
        grep -q "$f" "$tmp/b/docs/api.md" || missing="$missing $f"
    done
    [ -z "$missing" ] || { echo "api.md lacks:$missing"; return 1; }
}
check api-reference-generated t_api_doc

# --- build output ---------------------------------------------------------------------------
t_quiet() {
    local out
    out=$(make --no-print-directory BUILD="$tmp/b" "$tmp/b/src/wire/checksum.o" 2>&1) || return 1
    echo "$out" | grep -q "^  CC     src/wire/checksum.c$" && ! echo "$out" | grep -q -- "-Wall"
}
check build-quiet-by-default t_quiet
t_verbose() {
    make --no-print-directory BUILD="$tmp/b" V=1 "$tmp/b/src/wire/ipv4.o" 2>&1 | grep -q -- "-Wall.*src/wire/ipv4.c"
}
check build-V1-full-lines t_verbose
t_help() {
    local help
    help=$(make --no-print-directory help) && grep -q "make install" <<< "$help" &&
        grep -q "make examples" <<< "$help"
}
check make-help-lists-install-examples t_help

# --- the tools' errors ----------------------------------------------------------------------
synack=$build/synack
t_serve_port() {
    "$synack" http serve . 2> "$tmp/err"
    [ $? -eq 2 ] && grep -q -- "--port P is required" "$tmp/err"
}
check http-serve-requires-port t_serve_port
t_demo_pcap_missing() {
    "$synack" demo --pcap "$tmp/no/such/dir" > "$tmp/demo.out" 2> "$tmp/err"
    [ $? -eq 1 ] && grep -q "No such file or directory" "$tmp/err" && [ ! -s "$tmp/demo.out" ]
}
check demo-pcap-missing-folder-fails t_demo_pcap_missing
t_demo_pcap() {
    mkdir -p "$tmp/pcaps" && "$synack" demo --scenario handshake --pcap "$tmp/pcaps" > /dev/null &&
        [ -s "$tmp/pcaps/handshake.pcap" ]
}
check demo-pcap-writes-capture t_demo_pcap

# --- synack demo: the catalogue, --list, --step ----------------------------------------------
catalogue="handshake simultaneous-open transfer retransmit fast-retransmit rto-backoff zero-window
close simultaneous-close half-close time-wait-fin lost-ack lost-ack-data lost-ack-classic
lost-ack-linux lost-ack-reset closed-port backlog-full"
t_demo_list() { # one line each: the name, then one sentence
    "$synack" demo --list > "$tmp/list" || return 1
    local name
    for name in $catalogue; do
        grep -Eq "^$name +[A-Z].*\.$" "$tmp/list" || { echo "--list lacks $name"; return 1; }
        "$synack" demo "$name" > /dev/null || { echo "$name failed its checks"; return 1; }
    done
    [ "$(wc -l < "$tmp/list")" -eq "$(echo $catalogue | wc -w)" ]
}
check demo-list-names-every-scenario-and-each-passes t_demo_list
t_demo_step() { # the header and one row, then one more row per line read; the rest not shown
    printf '\n\n\n' | "$synack" demo handshake --step > "$tmp/step" 2> "$tmp/err" || return 1
    local rows
    rows=$(grep -E '^ +[0-9]+\.[0-9]{3} ' "$tmp/step" | sed 's/  */ /g')
    [ "$rows" = " 0.000 | socket() = 0 |
 0.000 | bind(0.0.0.0:80) = 0 |
 0.000 | |LISTEN
 0.000 | listen(8) = 0 |" ] || { echo "rows: $rows"; return 1; }
    grep -q -- "--step: input ended" "$tmp/err" && ! grep -q "SYN 0" "$tmp/step"
}
check demo-step-one-row-per-line t_demo_step
t_demo_classic() { # the classic figures: SYN,ACK repeated 3, 6 and 12 s apart
    "$synack" demo lost-ack-classic > "$tmp/classic" || return 1
    grep -q "^ 3010.000 arr 3020.000|<-SYN,ACK 0 ack 1 win 65535 \[rto #1\]" "$tmp/classic" &&
        grep -q "^ 9010.000 arr 9020.000|<-SYN,ACK 0 ack 1 win 65535 \[rto #2\]" "$tmp/classic" &&
        grep -q "^SYN,ACK repeat 3 at 21.010 s, 12.000 s after the one before (rto #3)$" "$tmp/classic"
}
check demo-lost-ack-classic-3-6-12 t_demo_classic
t_demo_bad() {
    "$synack" demo no-such-scenario > /dev/null 2> "$tmp/err"
    [ $? -eq 2 ] && grep -q "no scenario named 'no-such-scenario'" "$tmp/err" || return 1
    "$synack" demo --bogus > /dev/null 2> "$tmp/err"
    [ $? -eq 2 ] && grep -q "unknown argument '--bogus'" "$tmp/err"
}
check demo-bad-arguments-exit-2 t_demo_bad

# --- synack sim: a run composed from flags ---------------------------------------------------
t_sim_help() { # every flag documented
    "$synack" sim --help > "$tmp/help" || return 1
    local f
    for f in --bytes --delay --loss --reorder --seed --drop --initial-rto --close --rcvbuf \
        --sndbuf --mss --no-sack --no-timestamps --absolute --causes --time-limit --step --svg \
        --pcap --tsg --tsg-other --cwnd --rtt --states --html; do
        grep -q -- "^  $f " "$tmp/help" || { echo "--help lacks $f"; return 1; }
    done
    "$synack" --help | grep -q "^  sim  "
}
check sim-help-documents-every-flag t_sim_help
t_sim_drop() { # the client's 4th packet (2nd data segment) lost, then sent again with its
    # cause: the 3rd was SACKed, so RACK (RFC 8985) finds it lost once the reordering window
    # (a quarter of the 20 ms RTT) has passed, 25 ms after it left
    "$synack" sim --bytes 3000 --drop client:4 --ascii > "$tmp/sim" || return 1
    grep -qx "   20.000             |-PSH,ACK 1449:2897 ack 1 win 262144-x       |lost" "$tmp/sim" &&
        grep -A1 -x "   45.000             |-ACK 1449:2897 ack 1 win 262144------------>|arr 55.000" \
            "$tmp/sim" | grep -qx "                      |  \[sack recovery\]                           |" &&
        grep -qx "client sent 3000 of 3000 bytes; the server received 3000" "$tmp/sim" &&
        grep -qx "client: 1 retransmission(s) or probe(s), 1 sack recovery" "$tmp/sim"
}
check sim-drop-shows-retransmission-and-cause t_sim_drop
t_sim_rto() { # the lost third ACK and the next: SYN,ACK at 3 s and 9 s (3 + 6), or 1 s and 3 s
    "$synack" sim --initial-rto 3s --drop client:2 --drop client:3 > "$tmp/sim" || return 1
    grep -q "^ 3010.000 arr 3020.000|<-SYN,ACK 0 ack 1 win 65535 \[rto #1\]---" "$tmp/sim" &&
        grep -q "^ 9010.000 arr 9020.000|<-SYN,ACK 0 ack 1 win 65535 \[rto #2\]---" "$tmp/sim" &&
        grep -q "^ 9030.000  *|  *|ESTABLISHED$" "$tmp/sim" || return 1
    "$synack" sim --drop client:2 --drop client:3 > "$tmp/sim" || return 1
    grep -q "^ 1010.000 arr 1020.000|<-SYN,ACK 0 ack 1 win 65535 \[rto #1\]" "$tmp/sim" &&
        grep -q "^ 3010.000 arr 3020.000|<-SYN,ACK 0 ack 1 win 65535 \[rto #2\]" "$tmp/sim"
}
check sim-initial-rto-3s-then-6s t_sim_rto
t_sim_close() { # both close at once: CLOSING on both sides, TIME-WAIT, CLOSED after 60 s
    "$synack" sim --bytes 2000 --close both > "$tmp/sim" || return 1
    [ "$(grep -c "CLOSING" "$tmp/sim")" -eq 2 ] && [ "$(grep -c "^60050.000 .*CLOSED" "$tmp/sim")" -eq 2 ] &&
        "$synack" sim --bytes 100000 --loss 0.02 --seed 3 --reorder 0.1 --close server --no-sack \
            --no-timestamps --mss 536 --rcvbuf 4096 --sndbuf 8192 --delay 5ms > "$tmp/sim" &&
        grep -qx "client sent 100000 of 100000 bytes; the server received 100000" "$tmp/sim" &&
        ! grep -q "sackOK\|TS val" "$tmp/sim" && grep -q "<mss 536" "$tmp/sim"
}
check sim-close-loss-reorder-options t_sim_close
t_sim_fails() { # a run whose check fails exits 1 and says which
    "$synack" sim --loss 1 --time-limit 10s > /dev/null 2> "$tmp/err"
    [ $? -eq 1 ] && grep -q "check failed: the connection was established" "$tmp/err"
}
check sim-failed-check-exits-1 t_sim_fails
t_sim_bad() { # each bad argument: exit 2 and a sentence
    local a
    for a in "--bytes -5" "--bytes" "--delay 5x" "--loss 1.5" "--reorder -1" "--drop client" \
        "--drop peer:3" "--drop server:0" "--close nobody" "--mss 10" "--rcvbuf 10" "--bogus" \
        "--initial-rto soon"; do
        # shellcheck disable=SC2086
        "$synack" sim $a > /dev/null 2> "$tmp/err"
        [ $? -eq 2 ] && grep -q "^synack sim: " "$tmp/err" || { echo "$a: $(cat "$tmp/err")"; return 1; }
    done
}
check sim-bad-arguments-exit-2 t_sim_bad
t_sim_step_svg() {
    printf '\n\n' | "$synack" sim --bytes 1000 --step --svg "$tmp/sim.svg" > "$tmp/step" 2> "$tmp/err" || return 1
    [ "$(grep -cE '^ +[0-9]+\.[0-9]{3} ' "$tmp/step")" -eq 3 ] && grep -q -- "--step: input ended" "$tmp/err" &&
        grep -q "^<svg" "$tmp/sim.svg" && { ! command -v xmllint > /dev/null || xmllint --noout "$tmp/sim.svg"; }
}
check sim-step-and-svg t_sim_step_svg

# --- the time-sequence graph and the HTML report --------------------------------------------
xml_ok() { # FILE parses as XML (xmllint, else python3's parser)
    if command -v xmllint > /dev/null; then
        xmllint --noout "$1"
    else
        python3 -c 'import sys, xml.dom.minidom as m; m.parse(sys.argv[1])' "$1"
    fi
}
report_ok() { # FILE is one self-contained report with every section
    local f=$1 s
    xml_ok "$f" || return 1
    for s in '<h1>' '<p class="source">Source: ' '<ul class="connections">' '<h2 id="ladder">' \
        '<h2 id="tsg">' '<polyline class="ack"' '<h2 id="counts">' '<td>segments sent</td>' \
        '<h2 id="text">' '<details id="trace">'; do
        grep -qF "$s" "$f" || { echo "$f lacks $s"; return 1; }
    done
    ! grep -qE 'https?://|<script|<link|@import|url\([^#]' "$f" || { echo "$f refers outside itself"; return 1; }
    [ "$(grep -c '<svg ' "$f")" -ge 2 ]
}
t_sim_html() { # a loss repaired by SACK recovery: the report, the graph with its retransmission
    "$synack" sim --bytes 20000 --drop client:5 --html "$tmp/sim.html" --tsg "$tmp/tsg.svg" \
        > /dev/null || return 1
    report_ok "$tmp/sim.html" &&
        grep -qF 'Source: synack sim --bytes 20000 --drop client:5 --html' "$tmp/sim.html" &&
        grep -qF '<tr><td>retransmission: sack recovery</td><td class="n">1</td>' "$tmp/sim.html" &&
        xml_ok "$tmp/tsg.svg" && grep -q '^<svg xmlns=' "$tmp/tsg.svg" &&
        [ "$(grep -c '<g class="segment rtx">' "$tmp/tsg.svg")" -eq 1 ] &&
        grep -q '<g class="segment rtx"><title>data 2897:4345 at 40.000 ms retransmission (sack recovery)' "$tmp/tsg.svg" &&
        grep -q '<g class="segment lost"><title>lost 2897:4345 at 20.000 ms' "$tmp/tsg.svg" &&
        grep -q '<g class="sack"><title>SACK 4345:5793 at 40.000 ms' "$tmp/tsg.svg"
}
check sim-html-report-and-tsg t_sim_html
t_ladder_html() { # a capture: the report names the file, the graph the server's data
    "$synack" ladder tests/captures/kernel-lo.pcap --html "$tmp/lo.html" --tsg "$tmp/lo.svg" \
        > /dev/null || return 1
    report_ok "$tmp/lo.html" && grep -qF 'Source: capture tests/captures/kernel-lo.pcap, connection 1 of 1' "$tmp/lo.html" &&
        xml_ok "$tmp/lo.svg" && grep -q 'server to client: sequence numbers over time (ACKs as they passed)' "$tmp/lo.svg" &&
        "$synack" ladder tests/captures/kernel-lo.pcap --tsg - --tsg-other | grep -q 'client to server: sequence'
}
check ladder-html-report-and-tsg t_ladder_html
t_demo_html() { # one report and one graph per scenario, in the folder given
    mkdir -p "$tmp/rep" && "$synack" demo fast-retransmit --html "$tmp/rep" --tsg "$tmp/rep" > /dev/null &&
        report_ok "$tmp/rep/fast-retransmit.html" && xml_ok "$tmp/rep/fast-retransmit-tsg.svg" &&
        grep -qF 'Source: synack demo fast-retransmit' "$tmp/rep/fast-retransmit.html"
}
check demo-html-and-tsg-per-scenario t_demo_html
t_demo_tsg_probes() { # zero-window probes, without data, as rings at SND.UNA - 1
    "$synack" demo zero-window --tsg "$tmp/rep" > /dev/null && xml_ok "$tmp/rep/zero-window-tsg.svg" &&
        [ "$(grep -c '<g class="probe"><title>probe 4048:4048 at [0-9.]* ms (zero-window probe)' "$tmp/rep/zero-window-tsg.svg")" -ge 3 ]
}
check demo-tsg-zero-window-probes t_demo_tsg_probes
t_sim_cwnd_rtt() { # a loss repaired by SACK recovery: cwnd, ssthresh, recovery; RTT samples
    "$synack" sim --bytes 200000 --drop client:20 --cwnd "$tmp/cwnd.svg" --rtt "$tmp/rtt.svg" \
        --html "$tmp/cc.html" > /dev/null || return 1
    xml_ok "$tmp/cwnd.svg" && xml_ok "$tmp/rtt.svg" && report_ok "$tmp/cc.html" || return 1
    grep -qF 'client: congestion window over time' "$tmp/cwnd.svg" &&
        grep -q '^<polyline class="cwnd" .* points="154.0,239.7 218.0,239.7 218.0,233.6 218.0,227.6 [0-9., ]*"/>$' "$tmp/cwnd.svg" &&
        grep -q '^<polyline class="ssthresh" .*stroke-dasharray="6,3" points="282.0,186.0 890,186.0"/>$' "$tmp/cwnd.svg" &&
        [ "$(grep -c '<rect class="recovery"' "$tmp/cwnd.svg")" -eq 1 ] &&
        grep -qF '<title>recovery from 60.000 ms to 80.000 ms</title>' "$tmp/cwnd.svg" &&
        [ "$(grep -c '<g class="sample">' "$tmp/rtt.svg")" -ge 5 ] &&
        grep -qF '<g class="sample"><title>sample 20.000 ms at 20.000 ms: srtt 20.000 rttvar 10.000 rto 220.000</title>' "$tmp/rtt.svg" &&
        grep -q '^<polyline class="rto" ' "$tmp/rtt.svg" && grep -q '^<polyline class="srtt" ' "$tmp/rtt.svg" &&
        for s in '<h2 id="states">' '<h2 id="cwnd">' '<h2 id="rtt">' '<title>ESTABLISHED from 20.000 ms on</title>'; do
            grep -qF "$s" "$tmp/cc.html" || { echo "cc.html lacks $s"; return 1; }
        done
}
check sim-cwnd-and-rtt-graphs t_sim_cwnd_rtt
t_demo_cwnd_timers() { # RTO expiries marked under the axis, one per timeout, with titles
    mkdir -p "$tmp/rep" && "$synack" demo rto-backoff --cwnd "$tmp/rep" --rtt "$tmp/rep" > /dev/null &&
        xml_ok "$tmp/rep/rto-backoff-cwnd.svg" && xml_ok "$tmp/rep/rto-backoff-rtt.svg" &&
        [ "$(grep -c '<g class="timer rto"><title>rto timer fired at [0-9.]* ms (timeout #[1-5])' "$tmp/rep/rto-backoff-cwnd.svg")" -eq 5 ] &&
        grep -qF '<g class="timer rto"><title>rto timer fired at 960.000 ms (timeout #2)' "$tmp/rep/rto-backoff-rtt.svg"
}
check demo-cwnd-rtt-timers t_demo_cwnd_timers
t_ladder_cwnd() { # a capture has no congestion-control events: the picture says so
    "$synack" ladder tests/captures/kernel-lo.pcap --cwnd - | grep -qF 'a capture has no congestion-control events' &&
        "$synack" ladder tests/captures/kernel-lo.pcap --cwnd "$tmp/lo-cwnd.svg" --rtt "$tmp/lo-rtt.svg" > /dev/null &&
        xml_ok "$tmp/lo-cwnd.svg" && xml_ok "$tmp/lo-rtt.svg" && ! grep -q '<polyline' "$tmp/lo-rtt.svg"
}
check ladder-cwnd-capture-says-none t_ladder_cwnd
t_sim_states() { # a simultaneous close: each host's bar from SYN-SENT / LISTEN to TIME-WAIT
    "$synack" sim --bytes 20000 --close both --states "$tmp/states.svg" > /dev/null &&
        xml_ok "$tmp/states.svg" || return 1
    local s
    for s in 'SYN-SENT from 0.000 ms to 20.000 ms' 'LISTEN from 0.000 ms to 10.000 ms' \
        'SYN-RECEIVED from 10.000 ms to 30.000 ms' 'CLOSING from 60.000 ms to 70.000 ms'; do
        grep -qF "<g class=\"state\"><title>$s</title>" "$tmp/states.svg" || { echo "lacks $s"; return 1; }
    done
    [ "$(grep -c '<title>TIME-WAIT from 70.000 ms to 60070.000 ms</title>' "$tmp/states.svg")" -eq 2 ]
}
check sim-state-timeline t_sim_states
t_charset() { # Unicode arrows on a UTF-8 terminal or when asked; ASCII in pipes or when asked
    "$synack" demo handshake > "$tmp/plain" && "$synack" demo handshake --ascii > "$tmp/ascii" &&
        cmp "$tmp/plain" "$tmp/ascii" && grep -qF -- '-------->|arr 10.000' "$tmp/plain" || return 1
    "$synack" demo handshake --unicode > "$tmp/uni" || return 1
    grep -qF '─SYN 0 win 65535──' "$tmp/uni" && grep -qF '──▶│arr 10.000' "$tmp/uni" &&
        grep -qF '│◀─SYN,ACK 0 ack 1' "$tmp/uni" && ! grep -qF -- '->' "$tmp/uni" || return 1
    [ "$(tr -d '\n' < "$tmp/plain" | wc -c)" -eq "$(tr -d '\n' < "$tmp/uni" | LC_ALL=C.UTF-8 wc -m)" ] ||
        { echo "the Unicode ladder is not as wide as the ASCII one"; return 1; }
    "$synack" ladder tests/captures/kernel-lo.pcap --unicode | grep -qF '│' || return 1
    if command -v script > /dev/null 2>&1 && locale -a 2>/dev/null | grep -qix 'c.utf-\?8'; then
        LC_ALL=C.UTF-8 script -qc "$synack demo handshake" /dev/null | grep -qF '▶│arr 10.000' &&
            LC_ALL=C script -qc "$synack demo handshake" /dev/null | grep -qF -- '->|arr 10.000' ||
            { echo "the default does not follow the terminal's locale"; return 1; }
    fi
}
check ladder-unicode-or-ascii t_charset
t_draw_capture() { # synack draw: the states the segments show, the side the capture was taken on
    "$synack" sim --bytes 3000 --close both --pcap "$tmp/client.pcap" > /dev/null &&
        "$synack" draw "$tmp/client.pcap" > "$tmp/draw" || return 1
    grep -qx 'taken near client: SYN to SYN,ACK 20.000 ms, SYN,ACK to ACK 0.000 ms (the round trip lies before the SYN,ACK)' "$tmp/draw" &&
        grep -q '^    0.000 SYN-SENT    |' "$tmp/draw" && grep -q '|SYN-RECEIVED$' "$tmp/draw" &&
        [ "$(grep -c 'CLOSING' "$tmp/draw")" -eq 2 ] && [ "$(grep -c 'TIME-WAIT' "$tmp/draw")" -eq 2 ] &&
        "$synack" ladder "$tmp/client.pcap" | cmp - "$tmp/draw" &&
        "$synack" draw tests/captures/kernel-lo.pcap | grep -q '^capture point unclear: '
}
check draw-capture-states-and-vantage t_draw_capture
t_tun_ladder_flag() { # every TUN tool offers --ladder; it cannot share the hook with --trace
    local t
    for t in cat "http get" "http serve"; do
        $synack $t --help | grep -q -- '--ladder   *draw connections live' ||
            { echo "synack $t --help lacks --ladder"; return 1; }
    done
    "$synack" cat --ladder --trace 198.18.0.1 9 > /dev/null 2> "$tmp/err"
    [ $? -eq 2 ] && grep -qF -- '--ladder and --trace both use the trace hook' "$tmp/err"
}
check tun-tools-ladder-flag t_tun_ladder_flag
t_trace_file() { # a run saved as a trace file draws again, ladder and report, as the run drew it
    "$synack" sim --bytes 3000 --close both --save "$tmp/run.trace" --html "$tmp/run.html" \
        > "$tmp/run.out" || return 1
    head -1 "$tmp/run.trace" | grep -qx 'synack-trace 1' || return 1
    "$synack" ladder "$tmp/run.trace" --html "$tmp/again.html" > "$tmp/again.out" || return 1
    diff <(sed -n '/^ *ms client/,/^$/p' "$tmp/run.out" | sed '$d') "$tmp/again.out" || return 1
    diff <(grep -v '^<p class="source">\|<title>\|<h1>' "$tmp/run.html") \
        <(grep -v '^<p class="source">\|<title>\|<h1>' "$tmp/again.html") || return 1
    grep -qF 'Source: trace file '"$tmp/run.trace" "$tmp/again.html" &&
        grep -q '| send(3000) = 3000 ' "$tmp/again.out" &&
        mkdir -p "$tmp/tr" && "$synack" demo half-close --save "$tmp/tr" > /dev/null &&
        "$synack" ladder "$tmp/tr/half-close.trace" | grep -q 'shutdown(SHUT_WR) = 0' &&
        printf 'synack-trace 1\nsides a b\nbad\n' > "$tmp/bad.trace" &&
        { "$synack" ladder "$tmp/bad.trace" > /dev/null 2> "$tmp/err"; [ $? -eq 1 ]; } &&
        grep -qF "synack ladder: $tmp/bad.trace: line 3: not an event" "$tmp/err"
}
check trace-file-written-and-drawn-again t_trace_file

echo "product: ${pass} passed, ${fail} failed"
[ "$fail" -eq 0 ]
