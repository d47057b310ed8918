#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Runs the suite on the release build and under ASan+UBSan, the product checks (install,
# pkg-config, man page, docs, tool errors) and the kernel interop tests; prints what it
# counted from each run, then one summary line.
set -uo pipefail
cd "$(dirname "$0")/.."
total_pass=0; total_fail=0
counted=()
# count NAME LINE: adds "NAME: P passed, F failed" (or "P passed, F failed") to the totals.
count() {
    local name=$1 line=$2 p f
    p=$(echo "$line" | sed -E 's/^[^0-9]*([0-9]+) passed.*/\1/')
    f=$(echo "$line" | sed -E 's/.* ([0-9]+) failed.*/\1/')
    total_pass=$((total_pass + p)); total_fail=$((total_fail + f))
    counted+=("$name $p passed, $f failed")
}
for kind in release asan; do
    out=$(mktemp)
    if ! make --no-print-directory "test-$kind" 2>&1 | tee "$out"; then :; fi
    line=$(grep -E '^[a-z0-9-]*:? ?[0-9]+ passed, [0-9]+ failed' "$out" | tail -1)
    if [ -z "$line" ]; then
        echo "run-tests: $kind build or run failed before a summary" >&2
        total_fail=$((total_fail + 1)); counted+=("$kind: no summary (1 failure)")
    else
        count "$kind:" "$line"
    fi
    rm -f "$out"
done
# suite NAME COMMAND...: runs a suite that ends with "NAME: P passed, F failed" (or "NAME:
# skipped (why)") and counts it; a suite that ends without either counts as one failure.
suite() {
    local name=$1 out line; shift
    out=$(mktemp)
    "$@" 2>&1 | tee "$out"
    line=$(grep -E "^$name: [0-9]+ passed" "$out" | tail -1)
    if [ -n "$line" ]; then
        count "$name:" "$line"
    elif grep -q "^$name: skipped" "$out"; then
        counted+=("$name: skipped")
    else
        echo "run-tests: $name ended without a summary" >&2
        total_fail=$((total_fail + 1)); counted+=("$name: no summary (1 failure)")
    fi
    rm -f "$out"
}
# Product checks: install into a temporary prefix, pkg-config, man page, docs, tool errors.
suite product bash tests/product/run.sh build
# The HTML report in headless Chromium (skips with a reason when none is installed).
suite browser bash tests/browser/run.sh build
# Fuzzers (scripts/fuzz.sh test, clang): replay fuzz/regressions/, then each target briefly.
suite fuzz bash scripts/fuzz.sh test
# Interop with the Linux kernel over TUN (needs root; skips with a reason otherwise).
suite interop bash tests/interop/run.sh build
echo
echo "Counted (release and asan run the same unit tests, scenarios and examples twice: once"
echo "optimised, once under AddressSanitizer + UndefinedBehaviorSanitizer):"
for c in "${counted[@]}"; do echo "  $c"; done
echo "${total_pass} passed, ${total_fail} failed"
[ "$total_fail" -eq 0 ]
