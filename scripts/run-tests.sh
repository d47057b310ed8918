#!/usr/bin/env bash
# Runs the suite on the release build and under ASan+UBSan; prints one summary line.
set -uo pipefail
cd "$(dirname "$0")/.."
total_pass=0; total_fail=0
for kind in release asan; do
    out=$(mktemp)
    if ! make --no-print-directory "test-$kind" 2>&1 | tee "$out"; then :; fi
    line=$(grep -E '^[a-z-]*:? ?[0-9]+ passed, [0-9]+ failed' "$out" | tail -1)
    if [ -z "$line" ]; then
        echo "run-tests: $kind build or run failed before a summary" >&2
        total_fail=$((total_fail + 1))
    else
        p=$(echo "$line" | sed -E 's/^[^0-9]*([0-9]+) passed.*/\1/')
        f=$(echo "$line" | sed -E 's/.* ([0-9]+) failed.*/\1/')
        total_pass=$((total_pass + p)); total_fail=$((total_fail + f))
    fi
    rm -f "$out"
done
# Interop with the Linux kernel over TUN (needs root; skips with a reason otherwise).
out=$(mktemp)
bash tests/interop/run.sh build 2>&1 | tee "$out"
line=$(grep -E '^interop: [0-9]+ passed' "$out" | tail -1)
if [ -n "$line" ]; then
    total_pass=$((total_pass + $(echo "$line" | sed -E 's/^interop: ([0-9]+) passed.*/\1/')))
    total_fail=$((total_fail + $(echo "$line" | sed -E 's/.* ([0-9]+) failed.*/\1/')))
elif ! grep -q '^interop: skipped' "$out"; then
    echo "run-tests: interop tests ended without a summary" >&2
    total_fail=$((total_fail + 1))
fi
rm -f "$out"
echo "${total_pass} passed, ${total_fail} failed"
[ "$total_fail" -eq 0 ]
