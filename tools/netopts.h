/* SPDX-License-Identifier: MIT */
/* Options shared by the tools that run synack on a TUN device. */
#ifndef SYNACK_TOOLS_NETOPTS_H
#define SYNACK_TOOLS_NETOPTS_H

#include <stdbool.h>
#include <stdio.h>
#include "synack/driver.h"

#define NETOPTS_HELP                                                                               \
    "  --tun NAME            TUN device (default synack0; created if absent, brought up)\n"        \
    "  --addr A.B.C.D/NN     synack's own address (default 198.18.0.2/24)\n"                       \
    "  --kernel-addr A.B.C.D/NN  the kernel side's address (default: the first host of\n"          \
    "                        synack's network, 198.18.0.1)\n"                                      \
    "  --no-configure        leave the device's address and flags alone\n"                         \
    "  --no-offload          one MSS per packet each way, checksums by synack (default:\n"         \
    "                        TSO/GRO and checksum offload through a virtio_net_hdr)\n"             \
    "  --pcap FILE           capture the device's traffic (both directions)\n"                     \
    "  --trace               one line per event (segment, state change, socket call...)\n"         \
    "                        on stderr, times in ms since the start\n"                             \
    "  --ladder              draw connections live on stderr as ladders, one after another\n"      \
    "                        (the first, then the next once it is closed): what synack\n"          \
    "                        sends on the left, what reaches it on the right, its states\n"        \
    "                        and socket calls (--ascii / --unicode: the arrows; default\n"         \
    "                        Unicode on a UTF-8 terminal)\n"

/* Takes the common options out of argv (argc updated), leaving the others in order.
 * Returns 0, or -1 after printing a message about a bad value. Hidden test option:
 * --impair loss=P,reorder=P,seed=N. */
int netopts_parse(int *argc, char **argv, struct synack_driver_config *cfg);

/* The start of every TUN tool: defaults, --help (prints usage to stdout), then the common
 * options. Returns -1 to go on, or the exit code to return at once (0 after --help, 2 on a
 * bad option). */
int netopts_begin(int *argc, char **argv, struct synack_driver_config *cfg,
                  void (*usage)(FILE *out));

/* Parses "A.B.C.D" into host order; returns 0 or -1. */
int netopts_ipv4(const char *s, uint32_t *out);

/* Opens the driver, printing the reason on failure (prefixed by tool). NULL on error. */
struct synack_driver *netopts_start(const char *tool, const struct synack_driver_config *cfg);

/* Runs the driver until the connection on fd has finished its close (our FIN acknowledged
 * or the connection gone), at most timeout_ms. */
void netopts_finish(struct synack_driver *d, int fd, int timeout_ms);

#endif
