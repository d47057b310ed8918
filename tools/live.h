/* SPDX-License-Identifier: MIT */
/* The live ladder of the TUN tools (--ladder): the stack's own trace events drawn as they
 * happen, a row or a few at a time. */
#ifndef SYNACK_TOOLS_LIVE_H
#define SYNACK_TOOLS_LIVE_H

#include <stdio.h>
#include "synack/trace.h"

struct live_ladder;

/* A ladder drawn to out with the SYNACK_LADDER_* flags given (the capture flag is added):
 * synack on the left, its peer on the right. NULL on ENOMEM. */
struct live_ladder *live_ladder_new(FILE *out, unsigned flags);
void live_ladder_free(struct live_ladder *live);

/* The stack's trace hook (ctx: the live ladder). What synack sent is an arrow from the left
 * at the time it left; what reached it from the peer an arrow from the right at the time it
 * arrived (one vantage point, as a capture taken at synack: no arrival times); states,
 * drops and socket calls beside synack. One connection is followed at a time (with what
 * came before it: socket calls, a listener's LISTEN; not the drops of packets that belong
 * to no connection, such as the kernel's IPv6 chatter): the first, then, once it is
 * closed, the next, under a header of its own; repeats of the peer's sequence space are
 * marked [rtx]. Each event is drawn at once, times in ms from the connection's first. */
void live_ladder_hook(void *ctx, const struct synack_trace_event *ev);

#endif
