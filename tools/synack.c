/* SPDX-License-Identifier: MIT */
/* The synack command line. */
#include <stdio.h>
#include <string.h>
#include "cat.h"
#include "demo.h"
#include "http.h"
#include "ladder.h"
#include "sim.h"

static void usage(FILE *out)
{
    fprintf(out, "usage: synack COMMAND [ARGS]\n\n"
                 "commands:\n"
                 "  demo    replay a catalogue of TCP scenarios in the simulator, as ladder\n"
                 "          diagrams, each checked (synack demo --list, synack demo --help)\n"
                 "  sim     compose a run from flags (bytes, delay, loss, drops, initial RTO,\n"
                 "          who closes...) and draw it as a ladder (synack sim --help)\n"
                 "  ladder  draw a TCP connection from a pcap/pcapng capture (states inferred,\n"
                 "          the capture point told) or a trace file, as text or SVG, a\n"
                 "          time-sequence graph or an HTML report (synack ladder --help);\n"
                 "          synack draw is the same command\n"
                 "  cat     netcat over synack on a TUN device (synack cat --help)\n"
                 "  http    HTTP/1.1 client and static file server over synack\n"
                 "          (synack http get --help, synack http serve --help)\n\n"
                 "synack is a user-space TCP/IP stack; see README.md.\n");
}

int main(int argc, char **argv)
{
    if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
        usage(argc < 2 ? stderr : stdout);
        return argc < 2 ? 2 : 0;
    }
    if (!strcmp(argv[1], "demo")) return demo_main(argc - 2, argv + 2);
    if (!strcmp(argv[1], "sim")) return sim_main(argc - 2, argv + 2);
    if (!strcmp(argv[1], "ladder") || !strcmp(argv[1], "draw"))
        return ladder_main(argc - 2, argv + 2);
    if (!strcmp(argv[1], "cat")) return cat_main(argc - 2, argv + 2);
    if (!strcmp(argv[1], "http")) return http_main(argc - 2, argv + 2);
    fprintf(stderr, "synack: unknown command '%s'\n", argv[1]);
    usage(stderr);
    return 2;
}
