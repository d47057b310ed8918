#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# SPDX licence lines: every source file names its licence (MIT, see LICENSE) in its first
# three lines, in the comment syntax of its language.
#   scripts/spdx.sh check   lists the files without one; exits 1 if there are any
#   scripts/spdx.sh add     adds the line where it is missing (after a #! line); idempotent
# Files: the C sources and headers, the linker version script, shell scripts, .ci/run, the
# Makefile, packetdrill scripts, synack.pc.in and the man page (tracked or new, not ignored).
set -euo pipefail
cd "$(dirname "$0")/.."
mode=${1:-check}
tag="SPDX-License-Identifier: MIT"
files() {
    git ls-files --cached --others --exclude-standard -- '*.c' '*.h' '*.map' '*.sh' '*.pkt' \
        '*.pc.in' '*.1' Makefile .ci/run | sort -u | while read -r f; do [ -f "$f" ] && echo "$f"; done
}
line_for() {
    case "$1" in
        *.c | *.h | *.map) echo "/* $tag */" ;;
        *.pkt) echo "// $tag" ;;
        *.1) echo ".\\\" $tag" ;;
        *) echo "# $tag" ;;
    esac
}
missing=()
while read -r f; do
    head -3 "$f" | grep -q "$tag" || missing+=("$f")
done < <(files)
case "$mode" in
check)
    if [ ${#missing[@]} -gt 0 ]; then
        echo "spdx: no \"$tag\" line in the first three lines of:" >&2
        printf '  %s\n' "${missing[@]}" >&2
        exit 1
    fi
    echo "spdx: every source file has its SPDX line"
    ;;
add)
    for f in "${missing[@]}"; do
        l=$(line_for "$f")
        if head -1 "$f" | grep -q '^#!'; then
            { head -1 "$f"; echo "$l"; tail -n +2 "$f"; } > "$f.spdx-tmp"
        else
            { echo "$l"; cat "$f"; } > "$f.spdx-tmp"
        fi
        chmod --reference="$f" "$f.spdx-tmp"
        mv "$f.spdx-tmp" "$f"
    done
    echo "spdx: added the line to ${#missing[@]} files"
    ;;
*)
    echo "usage: scripts/spdx.sh check|add" >&2
    exit 2
    ;;
esac
