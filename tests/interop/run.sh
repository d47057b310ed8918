#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Interop tests: synack on a TUN device against the Linux kernel's TCP and ordinary programs
# (curl, python3 -m http.server, nc, ping). Each test runs in a fresh private network
# namespace made here (ip netns add), with addresses from 198.18.0.0/15 only; every wait is
# bounded by `timeout`. Needs root and /dev/net/tun; otherwise prints why it skips.
# Usage: tests/interop/run.sh [BUILD_DIR]     Ends with "interop: N passed, N failed".
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
build=$(cd "${1:-$top/build}" && pwd)
synack="$build/synack"
KADDR=198.18.0.1
SADDR=198.18.0.2

skip() { echo "interop: skipped ($1)"; exit 0; }
[ "$(id -u)" = 0 ] || skip "not root: the tests create network namespaces and TUN devices"
[ -c /dev/net/tun ] || skip "/dev/net/tun is missing"
[ -x "$synack" ] || { echo "interop: FAIL ($synack not built)"; echo "interop: 0 passed, 1 failed"; exit 1; }
bash "$top/scripts/install-interop-deps.sh"
for t in ip curl nc ss; do command -v $t >/dev/null || skip "$t is not installed"; done
py=/usr/bin/python3
[ -x "$py" ] || py=$(command -v python3) || skip "python3 is not installed"
ip netns add "synack-probe-$$" 2>/dev/null || skip "cannot create network namespaces here"
ip netns del "synack-probe-$$"

work=$(mktemp -d /tmp/synack-interop.XXXXXX)
namespaces=()
cleanup() {
    for ns in "${namespaces[@]}"; do
        ip netns pids "$ns" 2>/dev/null | xargs -r kill -9 2>/dev/null
        ip netns del "$ns" 2>/dev/null
    done
    rm -rf "$work"
}
trap cleanup EXIT
mkdir -p "$work/www"
head -c $((20 * 1024 * 1024)) /dev/urandom > "$work/www/big"
head -c $((64 * 1024)) /dev/urandom > "$work/www/small"
big_sum=$(sha256sum < "$work/www/big")
small_sum=$(sha256sum < "$work/www/small")

# A fresh namespace with a persistent TUN device synack0, kernel side 198.18.0.1/24.
new_ns() {
    NS="synack-it-$$-$1"
    namespaces+=("$NS")
    ip netns add "$NS"
    ip netns exec "$NS" ip link set lo up
    ip netns exec "$NS" ip tuntap add synack0 mode tun
    ip netns exec "$NS" ip addr add $KADDR/24 dev synack0
    ip netns exec "$NS" ip link set synack0 up
}
in_ns() { ip netns exec "$NS" "$@"; }
# Waits (at most 5 s) until a TCP port listens on the kernel side or answers on synack's.
wait_kernel_listen() {
    for _ in $(seq 50); do in_ns ss -ltn | grep -q ":$1 " && return 0; sleep 0.1; done; return 1
}
wait_synack_http() {
    for _ in $(seq 50); do
        in_ns timeout 2 curl -s -o /dev/null "http://$SADDR:$1/small" && return 0; sleep 0.1
    done; return 1
}
start_server() { # synack http serve on 8080 in the namespace; args: extra flags
    in_ns timeout 300 "$synack" http serve "$work/www" --port 8080 "$@" \
        > "$work/serve.out" 2> "$work/serve.err" &
    SERVER=$!
    wait_synack_http 8080
}
# Stops everything running in the namespace (SIGTERM, then up to 5 s for it to exit).
stop_server() {
    ip netns pids "$NS" 2>/dev/null | xargs -r kill -TERM 2>/dev/null
    for _ in $(seq 50); do [ -z "$(ip netns pids "$NS" 2>/dev/null)" ] && break; sleep 0.1; done
    wait "$SERVER" 2>/dev/null
    return 0
}

pass=0; fail=0; n=0
run() {
    local name=$1; shift
    n=$((n + 1)); why=""
    new_ns "$n"
    if "$@"; then pass=$((pass + 1)); echo "ok   interop $name"
    else fail=$((fail + 1)); echo "FAIL interop $name: ${why:-failed}"; fi
    ip netns pids "$NS" 2>/dev/null | xargs -r kill -9 2>/dev/null
    ip netns del "$NS" 2>/dev/null
}

t_curl_big() {
    start_server || { why="server did not come up: $(cat "$work/serve.err")"; return 1; }
    local sum
    sum=$(in_ns timeout 60 curl -s "http://$SADDR:8080/big" | sha256sum)
    stop_server
    [ "$sum" = "$big_sum" ] || { why="sha256 differs"; return 1; }
}
t_curl_sequential() {
    start_server || { why="server did not come up"; return 1; }
    for i in $(seq 50); do
        local sum
        sum=$(in_ns timeout 20 curl -s "http://$SADDR:8080/small" | sha256sum)
        [ "$sum" = "$small_sum" ] || { why="fetch $i differs"; stop_server; return 1; }
    done
    stop_server
}
t_curl_concurrent() {
    start_server || { why="server did not come up"; return 1; }
    local pids=()
    for i in $(seq 20); do
        in_ns timeout 60 curl -s -o "$work/c$i" "http://$SADDR:8080/big" & pids+=($!)
    done
    for p in "${pids[@]}"; do wait "$p"; done
    stop_server
    for i in $(seq 20); do
        [ "$(sha256sum < "$work/c$i")" = "$big_sum" ] || { why="fetch $i differs"; return 1; }
    done
}
t_http_get_big() {
    (cd "$work/www" && exec ip netns exec "$NS" timeout 120 "$py" -m http.server 8000 \
        --bind $KADDR > /dev/null 2>&1) &
    local srv=$!
    wait_kernel_listen 8000 || { why="python http.server did not listen"; return 1; }
    in_ns timeout 60 "$synack" http get "http://$KADDR:8000/big" -o "$work/got" "$@" \
        2> "$work/get.err"
    local rc=$?
    kill "$srv" 2>/dev/null; wait "$srv" 2>/dev/null
    [ $rc -eq 0 ] || { why="exit $rc: $(cat "$work/get.err")"; return 1; }
    [ "$(sha256sum < "$work/got")" = "$big_sum" ] || { why="sha256 differs"; return 1; }
}
t_cat_half_close() {
    head -c 300000 /dev/urandom > "$work/a"
    head -c 200000 /dev/urandom > "$work/b"
    in_ns timeout 30 nc -N -l $KADDR 9000 < "$work/b" > "$work/got_a" &
    local nc=$!
    wait_kernel_listen 9000 || { why="nc did not listen"; return 1; }
    in_ns timeout 30 "$synack" cat $KADDR 9000 < "$work/a" > "$work/got_b" 2> "$work/cat.err"
    local rc=$?
    wait "$nc"
    [ $rc -eq 0 ] || { why="synack cat exit $rc: $(cat "$work/cat.err")"; return 1; }
    cmp -s "$work/a" "$work/got_a" || { why="kernel side got different bytes"; return 1; }
    cmp -s "$work/b" "$work/got_b" || { why="synack side got different bytes"; return 1; }
}
t_refused() {
    in_ns timeout 30 "$synack" http get "http://$KADDR:9/x" -o "$work/x" 2> "$work/err"
    local rc=$?
    [ $rc -eq 1 ] && grep -q "Connection refused" "$work/err" ||
        { why="exit $rc, stderr: $(cat "$work/err")"; return 1; }
}
t_reset() {
    cat > "$work/abort.py" <<'PY'
import socket, struct, sys
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind((sys.argv[1], 9100)); s.listen(1)
c, _ = s.accept()
c.recv(10)
c.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
c.close()  # linger 0: the kernel aborts with RST
PY
    in_ns timeout 30 "$py" "$work/abort.py" $KADDR &
    local srv=$!
    wait_kernel_listen 9100 || { why="abort server did not listen"; return 1; }
    ( echo hello; sleep 3 ) | in_ns timeout 30 "$synack" cat $KADDR 9100 > /dev/null 2> "$work/err"
    local rc=$?
    wait "$srv"
    [ $rc -eq 1 ] && grep -q "Connection reset by peer" "$work/err" ||
        { why="exit $rc, stderr: $(cat "$work/err")"; return 1; }
}
t_impaired_both() {
    start_server --impair loss=0.02,reorder=0.01,seed=7 || { why="server did not come up"; return 1; }
    local sum
    sum=$(in_ns timeout 120 curl -s "http://$SADDR:8080/big" | sha256sum)
    stop_server
    [ "$sum" = "$big_sum" ] || { why="curl from impaired synack: sha256 differs"; return 1; }
    t_http_get_big --impair loss=0.02,reorder=0.01,seed=9 || { why="http get impaired: $why"; return 1; }
}
t_graceful_close() {
    start_server || { why="server did not come up"; return 1; }
    in_ns timeout 20 curl -s -o /dev/null "http://$SADDR:8080/small"
    sleep 0.3
    local st
    st=$(in_ns ss -tan | grep "$SADDR:8080" | awk '{print $1}' | sort -u | tr '\n' ' ')
    stop_server
    case "$st" in *ESTAB*|*CLOSE-WAIT*|*FIN-WAIT*|*LAST-ACK*) why="kernel side: $st"; return 1 ;; esac
    grep -q "0 connections left" "$work/serve.err" || { why="synack side: $(cat "$work/serve.err")"; return 1; }
}
t_ping() {
    start_server || { why="server did not come up"; return 1; }
    in_ns timeout 10 ping -c 3 -i 0.2 -W 1 $SADDR > "$work/ping" 2>&1
    local rc=$?
    stop_server
    [ $rc -eq 0 ] && grep -q " 0% packet loss" "$work/ping" || { why="$(tail -2 "$work/ping")"; return 1; }
}

# synack cat stops as soon as both directions are closed (not at the next timer: TIME-WAIT's
# is a minute away). The kernel side answers "pong" to "ping" and closes.
# write_pong: $work/pong.py ADDR PORT answers "pong" once its one client has finished.
write_pong() {
    cat > "$work/pong.py" <<'PY'
import socket, sys
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind((sys.argv[1], int(sys.argv[2]))); s.listen(1)
c, _ = s.accept()
while c.recv(100):
    pass
c.sendall(b"pong\n")
c.close()
PY
}
t_cat_prompt_exit() {
    write_pong
    in_ns timeout 30 "$py" "$work/pong.py" $KADDR 9200 &
    local srv=$! start end rc
    wait_kernel_listen 9200 || { why="pong server did not listen"; return 1; }
    start=$(date +%s%N)
    echo ping | in_ns timeout 20 "$synack" cat $KADDR 9200 > "$work/pong" 2> "$work/err"
    rc=$?
    end=$(date +%s%N)
    wait "$srv"
    [ $rc -eq 0 ] && [ "$(cat "$work/pong")" = pong ] ||
        { why="exit $rc, got '$(cat "$work/pong")': $(cat "$work/err")"; return 1; }
    [ $(( (end - start) / 1000000 )) -lt 3000 ] ||
        { why="took $(( (end - start) / 1000000 )) ms to exit"; return 1; }
}
# synack cat --ladder draws the connection live on stderr: its socket calls, states and
# segments both ways, relative numbers, in 80 columns; the data still flows on stdin/stdout.
t_cat_live_ladder() {
    write_pong
    in_ns timeout 30 "$py" "$work/pong.py" $KADDR 9400 &
    local srv=$! rc line
    wait_kernel_listen 9400 || { why="pong server did not listen"; return 1; }
    echo ping | in_ns timeout 20 "$synack" cat --ladder --ascii $KADDR 9400 > "$work/lpong" \
        2> "$work/ladder"
    rc=$?
    wait "$srv"
    [ $rc -eq 0 ] && [ "$(cat "$work/lpong")" = pong ] ||
        { why="exit $rc, got '$(cat "$work/lpong")': $(cat "$work/ladder")"; return 1; }
    for line in '       ms synack      |                                            |peer' \
        '| socket() = 0 ' '| connect(198.18.0.1:9400) = -EINPROGRESS ' ' SYN-SENT    |' \
        '|-SYN 0 win 65535---' '|<-SYN,ACK 0 ack 1 win ' ' ESTABLISHED |' '| send(5) = 5 ' \
        '|-PSH,ACK 1:6 ack 1 win 262144---' '| shutdown(SHUT_WR) = 0 ' \
        '|<-PSH,ACK 1:6 ack 7 win ' ' TIME-WAIT   |' '| recv(16384) = 5 ' '| recv(16384) = 0 '; do
        grep -qF -- "$line" "$work/ladder" || { why="no '$line' in: $(cat "$work/ladder")"; return 1; }
    done
    [ "$(awk 'length > 80' "$work/ladder" | wc -l)" -eq 0 ] || { why="lines past 80 columns"; return 1; }
    ! grep -q 'dropped.*(ip_' "$work/ladder" || { why="drops of no connection drawn"; return 1; }
}
# synack http serve --ladder draws its connections one after another: each one, once closed,
# is followed by the next under a header of its own (the startup probe and two fetches:
# three ladders).
t_serve_ladders_in_turn() {
    start_server --ladder --ascii || { why="server did not come up: $(cat "$work/serve.err")"; return 1; }
    for i in 1 2; do
        in_ns timeout 20 curl -s -o /dev/null "http://$SADDR:8080/small" ||
            { why="fetch $i failed"; stop_server; return 1; }
    done
    stop_server
    local headers
    headers=$(grep -c '^       ms synack ' "$work/serve.err")
    [ "$headers" -ge 3 ] ||
        { why="$headers ladders, 3 wanted: $(head -30 "$work/serve.err")"; return 1; }
    grep -q 'LAST-ACK' "$work/serve.err" || { why="no connection drawn to its close"; return 1; }
}
# synack cat --trace: one line per event, times in ms from the start (not the monotonic
# clock's), the first the socket() call at 0.000.
t_cat_trace_times() {
    write_pong
    in_ns timeout 30 "$py" "$work/pong.py" $KADDR 9500 &
    local srv=$! rc
    wait_kernel_listen 9500 || { why="pong server did not listen"; return 1; }
    echo ping | in_ns timeout 20 "$synack" cat --trace $KADDR 9500 > /dev/null 2> "$work/trace"
    rc=$?
    wait "$srv"
    [ $rc -eq 0 ] || { why="exit $rc: $(cat "$work/trace")"; return 1; }
    head -1 "$work/trace" | grep -qx '0.000 ms CALL 0.0.0.0:0-0.0.0.0:0 fd -1 socket() = 0' ||
        { why="first line: $(head -1 "$work/trace")"; return 1; }
    grep -q ' ms OUT .* SYN seq=' "$work/trace" && grep -q ' ms STATE .* -> TIME-WAIT$' "$work/trace" &&
        awk '{ if ($2 != "ms" || $1 + 0 > 20000) exit 1 }' "$work/trace" ||
        { why="lines not timed from the start: $(head -5 "$work/trace")"; return 1; }
}
# Both directions at once through the driver's loss and reordering (issue 7): synack cat
# sends 4 MiB to a kernel echo server and reads the echo back while still sending.
t_echo_both_ways() {
    cat > "$work/echo.py" <<'PY'
import socket, sys
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind((sys.argv[1], 9300)); s.listen(1)
c, _ = s.accept()
while True:
    d = c.recv(65536)
    if not d:
        break
    c.sendall(d)
c.shutdown(socket.SHUT_WR)
c.close()
PY
    head -c $((4 * 1024 * 1024)) /dev/urandom > "$work/echo_in"
    in_ns timeout 120 "$py" "$work/echo.py" $KADDR &
    local srv=$!
    wait_kernel_listen 9300 || { why="echo server did not listen"; return 1; }
    in_ns timeout 120 "$synack" cat --impair loss=0.02,reorder=0.02,seed=11 $KADDR 9300 \
        < "$work/echo_in" > "$work/echo_out" 2> "$work/echo.err"
    local rc=$?
    wait "$srv"
    [ $rc -eq 0 ] || { why="synack cat exit $rc: $(cat "$work/echo.err")"; return 1; }
    cmp -s "$work/echo_in" "$work/echo_out" ||
        { why="echo differs ($(stat -c %s "$work/echo_out") of 4194304 bytes back)"; return 1; }
}
# exchange_both_ways PORT MIB SECONDS [CAT_ARGS...]: the kernel connects to synack cat -l
# PORT and each sends MIB MiB of random bytes to the other at the same time; both streams
# must arrive byte for byte. CAT_ARGS go to synack cat (an impairment, say).
exchange_both_ways() {
    local port=$1 mib=$2 secs=$3
    shift 3
    cat > "$work/both.py" <<'PY'
import socket, sys, threading
s = socket.create_connection((sys.argv[1], int(sys.argv[2])), timeout=float(sys.argv[3]))
data = open(sys.argv[4], "rb").read()
def send():
    s.sendall(data)
    s.shutdown(socket.SHUT_WR)
t = threading.Thread(target=send)
t.start()
with open(sys.argv[5], "wb") as out:
    while True:
        d = s.recv(65536)
        if not d:
            break
        out.write(d)
t.join()
PY
    head -c $((mib * 1024 * 1024)) /dev/urandom > "$work/k_out"
    head -c $((mib * 1024 * 1024)) /dev/urandom > "$work/s_out"
    in_ns timeout $((secs + 20)) "$synack" cat "$@" -l "$port" \
        < "$work/s_out" > "$work/s_in" 2> "$work/both.err" &
    local cat_pid=$! up=""
    for _ in $(seq 50); do
        in_ns timeout "$secs" "$py" "$work/both.py" $SADDR "$port" "$secs" "$work/k_out" \
            "$work/k_in" 2> "$work/both.py.err" && { up=1; break; }
        grep -q "refused" "$work/both.py.err" || break
        sleep 0.1
    done
    wait "$cat_pid"
    local rc=$?
    [ -n "$up" ] || { why="kernel client: $(tail -1 "$work/both.py.err")"; return 1; }
    [ $rc -eq 0 ] || { why="synack cat -l exit $rc: $(cat "$work/both.err")"; return 1; }
    cmp -s "$work/k_out" "$work/s_in" || { why="synack got different bytes"; return 1; }
    cmp -s "$work/s_out" "$work/k_in" || { why="kernel got different bytes"; return 1; }
}
# 3 MiB each way at once, with loss and reordering on synack's side.
t_streams_both_ways() {
    exchange_both_ways 9400 3 100 --impair loss=0.02,reorder=0.02,seed=5
}
# Issue 10: data through the offload path both ways at once, 16 MiB each; the device's
# packet counters show that synack wrote super-segments the kernel cut (TSO) and read
# segments of many MSS (the kernel's TSO/GRO): 16 MiB one MSS at a time would be about
# 11,600 packets each way.
dev_packets() { # rx|tx: packets the kernel side of synack0 received / sent
    in_ns cat "/sys/class/net/synack0/statistics/${1}_packets"
}
t_offload_both_ways() {
    local rx0 tx0 rx1 tx1
    rx0=$(dev_packets rx); tx0=$(dev_packets tx)
    exchange_both_ways 9500 16 50 || return 1
    rx1=$(dev_packets rx); tx1=$(dev_packets tx)
    [ $((rx1 - rx0)) -lt 6000 ] && [ $((tx1 - tx0)) -lt 6000 ] ||
        { why="no offload seen: $((rx1 - rx0)) packets from synack, $((tx1 - tx0)) to it"; return 1; }
}
# The same transfers one MSS per packet (--no-offload): curl from synack http serve and
# synack http get from python's http.server, 20 MiB each, with the device's counters showing
# packets of one MSS.
t_no_offload() {
    local rx0 tx0
    rx0=$(dev_packets rx)
    start_server --no-offload || { why="server did not come up"; return 1; }
    local sum
    sum=$(in_ns timeout 60 curl -s "http://$SADDR:8080/big" | sha256sum)
    stop_server
    [ "$sum" = "$big_sum" ] || { why="curl from synack --no-offload: sha256 differs"; return 1; }
    [ $(($(dev_packets rx) - rx0)) -gt 14000 ] || { why="synack sent super-segments"; return 1; }
    tx0=$(dev_packets tx)
    t_http_get_big --no-offload || { why="http get --no-offload: $why"; return 1; }
    [ $(($(dev_packets tx) - tx0)) -gt 14000 ] || { why="the kernel sent super-segments"; return 1; }
}
# A SYN flood from spoofed sources (a raw socket on the kernel side, sources in
# 198.18.0.0/24 that answer nothing) at synack http serve while curl keeps fetching: every
# fetch succeeds (SYN cookies once the backlog of 128 is full), and the server counts the
# cookies it sent.
t_syn_flood_curl() {
    cat > "$work/flood.py" <<'PY'
import random, socket, struct, sys, time
dst = socket.inet_aton(sys.argv[1]); port = int(sys.argv[2]); secs = float(sys.argv[3])
s = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_RAW)
def csum(b):
    if len(b) % 2: b += b"\0"
    t = sum(struct.unpack("!%dH" % (len(b) // 2), b)); t = (t >> 16) + (t & 0xffff)
    return ~(t + (t >> 16)) & 0xffff
n = 0; end = time.time() + secs
while time.time() < end:
    src = socket.inet_aton("198.18.0.%d" % random.randint(3, 254))
    sport = random.randint(1024, 65535)
    tcp = struct.pack("!HHIIBBHHH", sport, port, random.getrandbits(32), 0, 5 << 4, 2, 65535, 0, 0)
    c = csum(src + dst + struct.pack("!BBH", 0, 6, len(tcp)) + tcp)
    tcp = tcp[:16] + struct.pack("!H", c) + tcp[18:]
    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 40, 0, 0, 64, 6, 0, src, dst)
    s.sendto(ip + tcp, (sys.argv[1], 0)); n += 1
print(n)
PY
    start_server --no-offload || { why="server did not come up"; return 1; }
    in_ns timeout 30 "$py" "$work/flood.py" $SADDR 8080 8 > "$work/flood.n" 2> "$work/flood.err" &
    local flood=$! ok=0 bad=0
    for i in $(seq 40); do
        local sum
        sum=$(in_ns timeout 10 curl -s "http://$SADDR:8080/small" | sha256sum)
        if [ "$sum" = "$small_sum" ]; then ok=$((ok + 1)); else bad=$((bad + 1)); fi
        sleep 0.15
    done
    wait "$flood"
    stop_server
    [ "$bad" -eq 0 ] || { why="$bad of 40 fetches failed during a flood of $(cat "$work/flood.n") SYNs: $(cat "$work/flood.err")"; return 1; }
    [ "$(cat "$work/flood.n" 2>/dev/null || echo 0)" -gt 1000 ] || { why="the flood sent only $(cat "$work/flood.n") SYNs: $(cat "$work/flood.err")"; return 1; }
    echo "  (syn flood: $(cat "$work/flood.n") spoofed SYNs in 8 s, $ok of 40 fetches served)"
}
# examples/http_fetch: its own event loop on TUN, against python's http.server.
t_example_http_fetch() {
    local ex="$build/examples/http_fetch"
    [ -x "$ex" ] || { why="$ex not built (make examples)"; return 1; }
    (cd "$work/www" && exec ip netns exec "$NS" timeout 60 "$py" -m http.server 8000 \
        --bind $KADDR > /dev/null 2>&1) &
    local srv=$!
    wait_kernel_listen 8000 || { why="python http.server did not listen"; return 1; }
    in_ns timeout 30 "$ex" $KADDR 8000 /small > "$work/got" 2> "$work/err"
    local rc=$?
    kill "$srv" 2>/dev/null; wait "$srv" 2>/dev/null
    [ $rc -eq 0 ] || { why="exit $rc: $(cat "$work/err")"; return 1; }
    [ "$(sha256sum < "$work/got")" = "$small_sum" ] || { why="sha256 differs"; return 1; }
}
# examples/tls_client: OpenSSL over memory BIOs on a synack socket, against openssl s_server
# with a certificate made here for 198.18.0.1 (verified by the client).
t_example_tls_client() {
    local ex="$build/examples/tls_client"
    timeout 30 openssl req -x509 -newkey rsa:2048 -nodes -keyout "$work/key.pem" \
        -out "$work/cert.pem" -days 1 -subj /CN=$KADDR -addext subjectAltName=IP:$KADDR \
        > "$work/req.err" 2>&1 || { why="openssl req: $(cat "$work/req.err")"; return 1; }
    in_ns timeout 30 openssl s_server -accept $KADDR:4433 -cert "$work/cert.pem" \
        -key "$work/key.pem" -www -naccept 1 > /dev/null 2>&1 &
    local srv=$!
    wait_kernel_listen 4433 || { why="openssl s_server did not listen"; return 1; }
    in_ns timeout 30 "$ex" $KADDR 4433 "$work/cert.pem" > "$work/tls.out" 2> "$work/tls.err"
    local rc=$?
    kill "$srv" 2>/dev/null; wait "$srv" 2>/dev/null
    [ $rc -eq 0 ] && grep -q "^HTTP/1.0 200 ok" "$work/tls.out" &&
        grep -q "certificate verified" "$work/tls.err" ||
        { why="exit $rc: $(cat "$work/tls.err")"; return 1; }
}
# README's command blocks marked <!-- readme-test: expect "TEXT" --> run as written, in the
# shell given (bash, dash), each in a fresh namespace of its own with nothing in it, from the
# top of the tree; the block must exit 0 (sh -e) and print TEXT.
readme_blocks() { # writes $work/readme-N.sh and $work/readme-N.expect; prints the count
    awk -v dir="$work" '
        /^<!-- readme-test: expect "/ {
            n++; want = $0; sub(/^<!-- readme-test: expect "/, "", want); sub(/" -->.*$/, "", want)
            print want > (dir "/readme-" n ".expect"); close(dir "/readme-" n ".expect")
            grab = 1; started = 0; next
        }
        grab && /^    / { started = 1; line = $0; sub(/^    /, "", line); print line > (dir "/readme-" n ".sh"); next }
        grab && /^[ \t]*$/ { if (started) print "" > (dir "/readme-" n ".sh"); next }
        grab { grab = 0; close(dir "/readme-" n ".sh") }
        END { print n + 0 }' "$top/README.md"
}
t_readme() {
    local shell=$1 n i bare want
    command -v "$shell" > /dev/null || { why="$shell is not installed"; return 1; }
    n=$(readme_blocks)
    [ "$n" -ge 3 ] || { why="found $n marked blocks in README.md"; return 1; }
    for i in $(seq "$n"); do
        bare="synack-it-$$-readme-$shell-$i"
        namespaces+=("$bare")
        ip netns add "$bare"
        want=$(cat "$work/readme-$i.expect")
        (cd "$top" && timeout 90 ip netns exec "$bare" "$shell" -e "$work/readme-$i.sh") \
            > "$work/readme.out" 2>&1
        local rc=$?
        ip netns pids "$bare" 2>/dev/null | xargs -r kill -9 2>/dev/null
        ip netns del "$bare" 2>/dev/null
        [ $rc -eq 0 ] && grep -qF -- "$want" "$work/readme.out" ||
            { why="block $i: exit $rc, no '$want': $(tail -5 "$work/readme.out")"; return 1; }
    done
}

run kernel-curl-20MiB t_curl_big
run kernel-curl-50-sequential t_curl_sequential
run kernel-curl-20-concurrent t_curl_concurrent
run synack-http-get-20MiB t_http_get_big
run synack-cat-nc-half-close t_cat_half_close
run connect-refused t_refused
run peer-abort-reset t_reset
run impaired-2pct-loss-1pct-reorder t_impaired_both
run graceful-close t_graceful_close
run ping t_ping
run synack-cat-exits-when-both-closed t_cat_prompt_exit
run synack-cat-live-ladder t_cat_live_ladder
run synack-serve-ladders-in-turn t_serve_ladders_in_turn
run synack-cat-trace-times t_cat_trace_times
run echo-4MiB-both-ways-impaired t_echo_both_ways
run streams-3MiB-both-ways-impaired t_streams_both_ways
run offload-16MiB-both-ways t_offload_both_ways
run no-offload-20MiB-each-way t_no_offload
run syn-flood-while-curl-fetches t_syn_flood_curl
run example-http-fetch t_example_http_fetch
if [ -x "$build/examples/tls_client" ] && command -v openssl > /dev/null; then
    run example-tls-client t_example_tls_client
else
    echo "skip interop example-tls-client (needs build/examples/tls_client from libssl-dev, and openssl)"
fi
run readme-commands-bash t_readme bash
run readme-commands-dash t_readme dash
echo "interop: ${pass} passed, ${fail} failed"
[ "$fail" -eq 0 ]
