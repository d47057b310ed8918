/* SPDX-License-Identifier: MIT */
/* synack: ladder diagrams. Collects the trace events of two hosts and draws them as a
 * two-column ladder: each host's state changes in its column, each segment as an arrow
 * at the time it left, with the time it arrived or "LOST". */
#ifndef SYNACK_LADDER_H
#define SYNACK_LADDER_H

#include <stdio.h>
#include "synack/config.h"
#include "synack/trace.h"

struct synack_ladder;

/* A ladder with a left and a right host (names are copied, at most 31 characters).
 * NULL on ENOMEM. */
struct synack_ladder *synack_ladder_new(const char *left_name, const char *right_name);
void synack_ladder_free(struct synack_ladder *ladder);

/* Routes a host's trace events into the ladder: side 0 is left, 1 is right. Sets
 * cfg->trace and cfg->trace_ctx; call before creating the host's stack. Returns 0 or
 * -EINVAL. */
int synack_ladder_attach(struct synack_ladder *ladder, int side, struct synack_config *cfg);

/* Draws every event collected so far, in time order, and forgets them (sequence numbers
 * stay relative to the ISNs already seen). Times are shown in ms from origin. */
void synack_ladder_render(struct synack_ladder *ladder, FILE *out, synack_time_t origin);

/* One line for one event ("12.345 ms OUT 198.18.0.1:80 > 198.18.0.2:40000 SYN,ACK seq=...").
 * Writes at most size bytes including the terminating NUL; returns buf. */
char *synack_trace_format(const struct synack_trace_event *ev, char *buf, size_t size);

#endif
