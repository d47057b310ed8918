#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Builds and runs synack's libFuzzer targets (fuzz/fuzz_*.c) with clang, AddressSanitizer,
# UndefinedBehaviorSanitizer and the engine's invariant checks (-DSYNACK_CHECK_INVARIANTS).
#
#   scripts/fuzz.sh build              build every target into build/fuzz/
#   scripts/fuzz.sh run [SECONDS]      fuzz each target in turn for SECONDS (default
#                                      $FUZZ_SECONDS or 60); the corpus grows in
#                                      build/fuzz/corpus/<target>, seeded from fuzz/corpus/;
#                                      FUZZ_FLAGS adds libFuzzer flags (e.g. "-fork=1
#                                      -ignore_crashes=1" to go on past findings)
#   scripts/fuzz.sh test [SECONDS]     replay fuzz/regressions/<target>/*, then fuzz each target
#                                      for a short time (SECONDS in all, default 20) from the
#                                      checked-in seeds; ends "fuzz: N passed, N failed"
#   scripts/fuzz.sh replay FILE...     run the files through the target named by their folder
#                                      (fuzz/regressions/<target>/...) or by $FUZZ_TARGET
#   scripts/fuzz.sh coverage           line coverage per target over its corpus
#                                      (build/fuzz/corpus/<target> and fuzz/corpus/<target>)
#   scripts/fuzz.sh seeds              regenerate the seed corpus fuzz/corpus/ (fuzz/seeds.py)
#
# One fuzzer process at a time (-jobs is never used). A crash, leak, sanitizer report, broken
# invariant or delivery mismatch leaves its input in build/fuzz/artifacts/.
set -uo pipefail
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}
FZ=$BUILD/fuzz
CC_FUZZ=${CC_FUZZ:-clang}
TARGETS=()
for f in fuzz/fuzz_*.c; do
    t=$(basename "$f" .c)
    [ "$t" = fuzz_peer ] && continue
    TARGETS+=("$t")
done
CFLAGS_FUZZ="-std=c11 -D_DEFAULT_SOURCE -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes \
-Wmissing-prototypes -Iinclude -Isrc -Ifuzz"
SAN="-fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer"
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}

need_clang() {
    if ! command -v "$CC_FUZZ" >/dev/null 2>&1; then
        echo "fuzz: $CC_FUZZ not found (apt-get install clang libclang-rt-dev)" >&2
        return 1
    fi
}

# lib DIR OPT: the library built by the Makefile's own rules with clang and OPT.
lib() {
    make --no-print-directory BUILD="$1" CC="$CC_FUZZ" OPT="$2" "$1/libsynack.a" >&2
}

# link OUT SRC LIBDIR EXTRA...: (re)links a target when its sources or the library changed.
# WHOLE=1 links the whole library (coverage then counts every line of it).
link() {
    local out=$1 src=$2 libdir=$3; shift 3
    local lib=("$libdir/libsynack.a")
    [ "${WHOLE:-0}" = 1 ] && lib=(-Wl,--whole-archive "$libdir/libsynack.a" -Wl,--no-whole-archive)
    local deps=("$src" fuzz/fuzz_peer.c fuzz/fuzz_peer.h "$libdir/libsynack.a")
    if [ -x "$out" ]; then
        local stale=0 d
        for d in "${deps[@]}"; do [ "$d" -nt "$out" ] && stale=1; done
        [ $stale = 0 ] && return 0
    fi
    printf '  %-6s %s\n' LD "$out" >&2
    # shellcheck disable=SC2086
    "$CC_FUZZ" $CFLAGS_FUZZ "$@" -o "$out" "$src" fuzz/fuzz_peer.c "${lib[@]}"
}

build() {
    need_clang || return 1
    mkdir -p "$FZ"
    lib "$FZ/lib" "-O1 -g -fsanitize=fuzzer-no-link $SAN -DSYNACK_CHECK_INVARIANTS" || return 1
    local t
    for t in "${TARGETS[@]}"; do
        # shellcheck disable=SC2086
        link "$FZ/$t" "fuzz/$t.c" "$FZ/lib" -O1 -g -fsanitize=fuzzer $SAN \
            -DSYNACK_CHECK_INVARIANTS || return 1
    done
}

# fuzz_one TARGET SECONDS CORPUS_DIR [LIBFUZZER_FLAGS...]: one libFuzzer run; its status.
fuzz_one() {
    local t=$1 secs=$2 corpus=$3 seeds=fuzz/corpus/$1
    shift 3
    mkdir -p "$corpus" "$FZ/artifacts"
    local dirs=("$corpus")
    [ -d "$seeds" ] && dirs+=("$seeds")
    "$FZ/$t" -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
        -artifact_prefix="$FZ/artifacts/$t-" "$@" "${dirs[@]}"
}

# Runs of each target in `test`: about 4 s each on a 2-vCPU machine (their speeds differ by
# 100x). With a fixed seed (FUZZ_TEST_SEED, default 1) the runs are the same every time, so
# make test can't fail by chance; FUZZ_TEST_SEED=0 takes a random seed.
test_runs() {
    case $1 in
    fuzz_wire) echo 150000 ;;
    fuzz_stack) echo 20000 ;;
    fuzz_socket) echo 10000 ;;
    fuzz_pair) echo 1500 ;;
    *) echo 5000 ;;
    esac
}

run() {
    local secs=${1:-${FUZZ_SECONDS:-60}} t rc=0
    build || return 1
    for t in "${TARGETS[@]}"; do
        echo "fuzz: $t for ${secs}s (corpus $FZ/corpus/$t)"
        local log=$FZ/$t.log before after runs
        before=$(find "$FZ/artifacts" -name "$t-*" 2>/dev/null | wc -l)
        # shellcheck disable=SC2086
        fuzz_one "$t" "$secs" "$FZ/corpus/$t" ${FUZZ_FLAGS:-} >"$log" 2>&1
        local st=$?
        after=$(find "$FZ/artifacts" -name "$t-*" 2>/dev/null | wc -l)
        runs=$(grep -E '^stat::number_of_executed_units' "$log" | awk '{print $2}')
        [ -z "$runs" ] && runs=$(grep -oE '^#[0-9]+' "$log" | tail -1 | tr -d '#')
        if [ "$st" = 0 ] && [ "$after" = "$before" ]; then
            echo "fuzz: $t: $runs runs, $(find "$FZ/corpus/$t" -type f | wc -l) corpus files, no finding"
        else
            rc=1
            echo "fuzz: $t: $runs runs, FOUND $((after - before)) (inputs in $FZ/artifacts/$t-*, log $log):"
            grep -E 'invariant broken|fuzz_[a-z]+: |ERROR: [A-Z]|runtime error' "$log" | sort | uniq -c | head -10
        fi
    done
    return $rc
}

# replay_dir TARGET DIR: every file in DIR through the target; counts each file.
pass=0; fail=0
replay_files() {
    local t=$1; shift
    local f
    for f in "$@"; do
        [ -f "$f" ] || continue
        if timeout 60 "$FZ/$t" -runs=1 "$f" >"$FZ/replay.log" 2>&1; then
            pass=$((pass + 1))
        else
            fail=$((fail + 1))
            echo "FAIL fuzz replay $t $f"; tail -30 "$FZ/replay.log"
        fi
    done
}

test_mode() {
    local total=${1:-20}
    if ! build; then
        echo "fuzz: build failed"; echo "fuzz: 0 passed, 1 failed"; return 1
    fi
    local t secs=$(( total / ${#TARGETS[@]} ))
    [ "$secs" -lt 1 ] && secs=1
    for t in "${TARGETS[@]}"; do
        local before=$fail
        replay_files "$t" fuzz/regressions/"$t"/*
        local n=$(( $(find fuzz/regressions/"$t" -type f 2>/dev/null | wc -l) ))
        local tmp; tmp=$(mktemp -d)
        local seed=(-seed="${FUZZ_TEST_SEED:-1}")
        [ "${FUZZ_TEST_SEED:-1}" = 0 ] && seed=()
        if fuzz_one "$t" "$((secs * 2))" "$tmp" -runs="$(test_runs "$t")" "${seed[@]}" \
            >"$FZ/$t.test.log" 2>&1; then
            pass=$((pass + 1))
            echo "ok   fuzz $t: $n regressions replayed, $(grep -E '^stat::number_of_executed_units' \
                "$FZ/$t.test.log" | awk '{print $2}') runs"
        else
            fail=$((fail + 1))
            echo "FAIL fuzz $t (log $FZ/$t.test.log; input in $FZ/artifacts/):"
            grep -E 'ERROR|invariant broken|mismatch|wedged|SUMMARY|Test unit written' \
                "$FZ/$t.test.log" | head -20
        fi
        [ "$fail" -gt "$before" ] && echo "     (copy the artifact to fuzz/regressions/$t/ to keep it)"
        rm -rf "$tmp"
    done
    echo "fuzz: ${pass} passed, ${fail} failed"
    [ "$fail" -eq 0 ]
}

replay() {
    build || return 1
    local f t
    for f in "$@"; do
        t=${FUZZ_TARGET:-$(basename "$(dirname "$f")")}
        replay_files "$t" "$f"
    done
    echo "fuzz replay: ${pass} passed, ${fail} failed"
    [ "$fail" -eq 0 ]
}

coverage() {
    need_clang || return 1
    local cov=$FZ/cov prof="-fprofile-instr-generate -fcoverage-mapping"
    mkdir -p "$cov"
    lib "$cov/lib" "-O1 -g $prof -DSYNACK_CHECK_INVARIANTS" || return 1
    local t
    printf '%-12s %12s %12s   %s\n' target "library" "engine" corpus
    for t in "${TARGETS[@]}"; do
        # shellcheck disable=SC2086
        WHOLE=1 link "$cov/$t" "fuzz/$t.c" "$cov/lib" -O1 -g -fsanitize=fuzzer $prof \
            -DSYNACK_CHECK_INVARIANTS || return 1
        rm -f "$cov/$t".profraw
        local dirs=()
        [ -d "$FZ/corpus/$t" ] && dirs+=("$FZ/corpus/$t")
        [ -d "fuzz/corpus/$t" ] && dirs+=("fuzz/corpus/$t")
        LLVM_PROFILE_FILE="$cov/$t.profraw" "$cov/$t" -runs=0 -timeout=60 \
            "${dirs[@]}" \
            >"$cov/$t.log" 2>&1
        llvm-profdata merge -sparse "$cov/$t.profraw" -o "$cov/$t.profdata" || return 1
        llvm-cov report "$cov/$t" -instr-profile="$cov/$t.profdata" src/ >"$cov/$t.txt"
        llvm-cov report "$cov/$t" -instr-profile="$cov/$t.profdata" src/tcp src/stack src/wire \
            >"$cov/$t.engine.txt"
        # TOTAL line: ... Lines  Missed Lines  Cover ... (the 10th column is the line cover).
        local all eng units
        all=$(awk '/^TOTAL/ {print $10}' "$cov/$t.txt")
        eng=$(awk '/^TOTAL/ {print $10}' "$cov/$t.engine.txt")
        units=$(find "${dirs[@]}" -type f 2>/dev/null | wc -l)
        printf '%-12s %12s %12s   %s inputs\n' "$t" "$all" "$eng" "$units"
    done
    echo "line coverage: library = all of src/; engine = src/tcp, src/stack, src/wire"
    echo "per-file reports: $cov/<target>.txt"
}

seeds() {
    python3 fuzz/seeds.py fuzz/corpus
}

cmd=${1:-}
shift || true
case "$cmd" in
build) build ;;
run) run "$@" ;;
test) test_mode "$@" ;;
replay) replay "$@" ;;
coverage) coverage ;;
seeds) seeds ;;
*) sed -n '3,23p' "$0" | sed 's/^# \{0,1\}//'; exit 2 ;;
esac
