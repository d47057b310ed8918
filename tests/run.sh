#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Runs every test binary in BUILD/tests, each with a timeout, and sums cmocka's counts.
# Usage: tests/run.sh BUILD_DIR
set -uo pipefail
build=${1:-build}
pass=0; fail=0
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
for t in "$build"/tests/test_*; do
    [ -x "$t" ] || continue
    case "$t" in *.d|*.o) continue;; esac
    log=$(mktemp)
    timeout 1200 ${VALGRIND:-} "$t" >"$log" 2>&1
    rc=$?
    p=$(grep -E '^\[  PASSED  \] [0-9]+ test' "$log" | sed -E 's/[^0-9]*([0-9]+).*/\1/' | awk '{s+=$1} END {print s+0}')
    f=$(grep -E '^\[  FAILED  \] [0-9]+ test' "$log" | sed -E 's/[^0-9]*([0-9]+).*/\1/' | awk '{s+=$1} END {print s+0}')
    if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then f=1; fi
    pass=$((pass + p)); fail=$((fail + f))
    if [ "$rc" -ne 0 ]; then
        echo "FAIL $(basename "$t") (exit $rc)"; cat "$log"
    else
        echo "ok   $(basename "$t"): $p passed"
    fi
    rm -f "$log"
done
# The demo checks its own scenarios (bytes delivered, errors seen) and exits non-zero if one
# fails: it counts as one test.
if [ -x "$build/synack" ]; then
    if timeout 120 ${VALGRIND:-} "$build/synack" demo >/dev/null 2>&1; then
        pass=$((pass + 1)); echo "ok   synack demo"
    else
        fail=$((fail + 1)); echo "FAIL synack demo"
    fi
fi
# sub_suite NAME OUTPUT: shows OUTPUT but its "NAME: P passed, F failed" line, and adds P
# and F to the counts; false when OUTPUT has no such line.
sub_suite() {
    local line
    echo "$2" | grep -v "^$1: [0-9]"
    line=$(echo "$2" | grep -E "^$1: [0-9]+ passed" | tail -1)
    [ -n "$line" ] || return 1
    local p f
    p=$(echo "$line" | sed -E "s/^$1: ([0-9]+) passed.*/\\1/")
    f=$(echo "$line" | sed -E 's/.* ([0-9]+) failed.*/\1/')
    pass=$((pass + p)); fail=$((fail + f))
    if [ "$f" -eq 0 ]; then echo "ok   $line"; else echo "FAIL $line"; fi
}
# The ladder of each catalogue scenario against its expected file tests/ladders/NAME.txt:
# one test each (make ladders rewrites them after a change meant to alter a ladder).
if [ -x "$build/synack" ]; then
    sub_suite ladders "$(bash "$(dirname "$0")/ladders/check.sh" "$build" 2>&1)" ||
        { fail=$((fail + 1)); echo "FAIL ladders: no summary"; }
fi
# The simulator examples (make examples) check every byte themselves: one test each.
for ex in echo_sim zerocopy_sim; do
    [ -x "$build/examples/$ex" ] || continue
    if timeout 120 ${VALGRIND:-} "$build/examples/$ex" >/dev/null 2>&1; then
        pass=$((pass + 1)); echo "ok   examples/$ex"
    else
        fail=$((fail + 1)); echo "FAIL examples/$ex"
    fi
done
# packetdrill scripts against the adapter (release build only: the adapter is not built
# with sanitizers); skipped with a message when no packetdrill binary is available.
if [ -f "$build/libsynack-packetdrill.so" ]; then
    sub_suite packetdrill "$(bash "$(dirname "$0")/packetdrill/run.sh" "$build" 2>&1)"
fi
echo "$(basename "$build"): ${pass} passed, ${fail} failed"
[ "$fail" -eq 0 ]
