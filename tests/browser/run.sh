#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The HTML report in a real browser: headless Chromium from Debian (chromium-headless-shell,
# or chromium --headless). A report of a run with a loss is loaded from a file with no
# network; checked: it loads with no console message (a page that logs one is caught, so
# the check can fail), the DOM holds the ladder and one table row per segment, a
# screenshot shows the ladder's two host lines, clicking an arrow (its #seg-N link)
# highlights the segment's row and the row's number (#arrow-N) highlights the arrow.
# Usage: tests/browser/run.sh BUILD_DIR. The screenshot stays in BUILD_DIR/browser/.
# Ends with "browser: N passed, N failed", or "browser: skipped (...)" without Chromium.
set -uo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
cd "$top"
build=${1:-build}
browser=() # the command, with --headless for the full browser
if command -v chromium-headless-shell > /dev/null 2>&1; then
    browser=(chromium-headless-shell)
elif command -v chromium > /dev/null 2>&1; then
    browser=(chromium --headless)
else
    echo "browser: skipped (no headless Chromium; as root: apt-get install" \
        "--no-install-recommends chromium-headless-shell, or make deps)"
    exit 0
fi
out="$build/browser"
mkdir -p "$out"
tmp=$(mktemp -d /tmp/synack-browser.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
pass=0; fail=0
check() { # check NAME COMMAND...: passes when COMMAND exits 0; its output shows on failure
    local name=$1; shift
    if "$@" > "$tmp/out" 2>&1; then
        pass=$((pass + 1)); echo "ok   browser $name"
    else
        fail=$((fail + 1)); echo "FAIL browser $name: $(tail -5 "$tmp/out")"
    fi
}
# A private profile, no network use beyond the file, root without the sandbox (as in CI).
chrome() {
    timeout 120 "${browser[@]}" --no-sandbox --disable-gpu --no-first-run \
        --user-data-dir="$tmp/profile" --enable-logging=stderr --v=0 "$@"
}
png() { python3 tests/browser/png.py "$@"; }
report="$tmp/report.html"
"$build/synack" sim --bytes 20000 --drop client:5 --close both --html "$report" > /dev/null ||
    { echo "browser: synack sim failed"; exit 1; }
url="file://$report"
segs=$(grep -c '<tr id="seg-' "$report")
seg=$(grep -o '<tr id="seg-[0-9]*"' "$report" | sed -n 5p | grep -o '[0-9]*')

t_console() { # the report logs nothing; a page that logs an error is seen doing so
    printf '<!DOCTYPE html><html><body><script>console.error("x")</script></body></html>' \
        > "$tmp/bad.html"
    chrome --dump-dom "file://$tmp/bad.html" > /dev/null 2> "$tmp/bad.err"
    grep -q ':CONSOLE' "$tmp/bad.err" || { echo "console messages are not seen"; return 1; }
    chrome --dump-dom "$url" > "$tmp/dom" 2> "$tmp/err" || return 1
    ! grep ':CONSOLE' "$tmp/err" || return 1
    [ "$(grep -c '<tr id="seg-' "$tmp/dom")" -eq "$segs" ] && [ "$segs" -gt 10 ] &&
        grep -q '<svg' "$tmp/dom" && grep -q '<h2 id="segments">' "$tmp/dom"
}
check loads-without-console-messages t_console
t_screenshot() { # the ladder's two host lines on screen; none on an empty page
    chrome --window-size=1000,1000 --screenshot="$out/report.png" "$url" 2> /dev/null || return 1
    printf '<!DOCTYPE html><html><body><p>nothing</p></body></html>' > "$tmp/empty.html"
    chrome --window-size=1000,1000 --screenshot="$tmp/empty.png" "file://$tmp/empty.html" \
        2> /dev/null || return 1
    local lines empty
    lines=$(png lines "$out/report.png") && empty=$(png lines "$tmp/empty.png") || return 1
    echo "host lines: $lines (empty page: $empty)"
    [ "$lines" -eq 2 ] && [ "$empty" -eq 0 ]
}
check screenshot-shows-the-ladder t_screenshot
# lit FRAGMENT R G B: the pixels of colour R G B on the whole page (a window tall enough
# for all of it: the target is styled without scrolling) with #FRAGMENT in the address and
# without it, as "WITH WITHOUT".
lit() {
    local frag=$1 with without; shift
    [ -f "$tmp/plain.png" ] ||
        chrome --window-size=1000,12000 --screenshot="$tmp/plain.png" "$url" 2> /dev/null || return 1
    chrome --window-size=1000,12000 --screenshot="$tmp/$frag.png" "$url#$frag" 2> /dev/null &&
        with=$(png colour "$tmp/$frag.png" "$@") && without=$(png colour "$tmp/plain.png" "$@") ||
        return 1
    echo "$with $without"
}
t_row_target() { # an arrow's link (#seg-N) highlights its row (#fe8), and nothing else does
    local n
    n=$(lit "seg-$seg" 255 238 136) || return 1
    echo "highlighted pixels, with the link and without: $n"
    set -- $n
    [ "$1" -gt 5000 ] && [ "$2" -eq 0 ]
}
check arrow-link-highlights-its-row t_row_target
t_arrow_target() { # a row's number (#arrow-N) draws its arrow in orange (#e80)
    local n
    n=$(lit "arrow-$seg" 238 136 0) || return 1
    echo "orange pixels, with the link and without: $n"
    set -- $n
    [ "$1" -gt $(($2 + 200)) ]
}
check row-link-highlights-its-arrow t_arrow_target
echo "browser: ${pass} passed, ${fail} failed"
[ "$fail" -eq 0 ]
