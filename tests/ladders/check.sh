#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The ladder of every catalogue scenario (`synack demo NAME`: fixed seeds and keys, so the
# same bytes each run) against its checked-in expected file tests/ladders/NAME.txt; any
# difference fails and is shown. Usage: tests/ladders/check.sh BUILD_DIR [--update]
# (--update rewrites the expected files from BUILD_DIR/synack: `make ladders`).
set -uo pipefail
build=${1:-build}
dir=$(dirname "$0")
synack="$build/synack"
pass=0; fail=0
names=$("$synack" demo --list | awk '{print $1}') || { echo "ladders: synack demo --list failed"; exit 1; }
[ -n "$names" ] || { echo "ladders: no scenario listed"; exit 1; }
for name in $names; do
    want="$dir/$name.txt"
    got=$(mktemp)
    ${VALGRIND:-} "$synack" demo "$name" > "$got" 2>&1
    rc=$?
    if [ "${2:-}" = "--update" ]; then
        cp "$got" "$want"
    fi
    if [ $rc -ne 0 ]; then
        echo "FAIL ladder $name: synack demo exited $rc"; cat "$got"; fail=$((fail + 1))
    elif [ ! -f "$want" ]; then
        echo "FAIL ladder $name: no $want (make ladders writes it)"; fail=$((fail + 1))
    elif ! diff -u "$want" "$got" > "$got.diff"; then
        echo "FAIL ladder $name differs from $want:"; cat "$got.diff"; fail=$((fail + 1))
    else
        pass=$((pass + 1))
    fi
    rm -f "$got" "$got.diff"
done
# An expected file whose scenario left the catalogue is a mistake too.
for f in "$dir"/*.txt; do
    n=$(basename "$f" .txt)
    echo "$names" | grep -qx "$n" || { echo "FAIL ladder $n: $f names no scenario"; fail=$((fail + 1)); }
done
echo "ladders: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
