#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Generates the API reference (Markdown) from the public headers, which are the
# documentation: each header's opening comment as prose, then its declarations with their
# comments. Usage: scripts/api-doc.sh > build/docs/api.md   (or: make docs)
set -euo pipefail
cd "$(dirname "$0")/.."
version=$(sed -n 's/^VERSION *:= *//p' Makefile)
echo "# synack $version API reference"
echo
echo "Generated from \`include/synack/*.h\` by \`scripts/api-doc.sh\`. Include"
echo "\`<synack/synack.h>\` for the stack, sockets, configuration and tracing; the other headers"
echo "(simulator, TUN driver and device, pcap, ladder diagrams, secret) as needed."
echo
for h in include/synack/*.h; do
    echo "- [synack/$(basename "$h")](#synack$(basename "$h" .h | tr -d '_')h)"
done
for h in include/synack/*.h; do
    echo
    echo "## synack/$(basename "$h")"
    echo
    # The opening comment, as prose.
    awk 'NR == 1 && !/^\/\*/ { exit }
         { line = $0; sub(/^\/\* ?/, "", line); sub(/^ \* ?/, "", line); sub(/ ?\*\/$/, "", line);
           if (line !~ /SPDX-License-Identifier/) print line }
         /\*\// { exit }' <(grep -v SPDX-License-Identifier "$h")
    echo
    echo '```c'
    # Everything after the opening comment, less the include guard and the includes.
    awk 'BEGIN { body = 0 }
         !body { if (/\*\//) body = 1; next }
         /^#(ifndef|define) SYNACK_[A-Z_]*_H$/ || /^#endif$/ || /^#include / { next }
         { print }' <(grep -v SPDX-License-Identifier "$h") | cat -s | sed -e '/./,$!d'
    echo '```'
done
