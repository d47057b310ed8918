/* SPDX-License-Identifier: MIT */
/* The ladder's collected events, shared by the text (ladder.c) and SVG (svg.c) renderers. */
#ifndef SK_TRACE_LADDER_IMPL_H
#define SK_TRACE_LADDER_IMPL_H

#include "synack/ladder.h"

struct ladder_event {
    struct synack_trace_event ev;
    int side;
    long arrival; /* OUT: index of the IN that is its arrival, or -1 (sk_ladder_pair) */
};

struct ladder_side {
    struct synack_ladder *ladder;
    int index;
    char name[32];
    bool have_isn;
    uint32_t isn;
    int wscale; /* the window scale its SYN announced, -1 if none (or not seen) */
};

struct synack_ladder {
    struct ladder_side sides[2];
    struct ladder_event *events;
    size_t count, cap;
    unsigned flags; /* SYNACK_LADDER_* */
};

/* What an arrow says: flags, relative seq:end, ack, window as scaled; its options as
 * tcpdump writes them; why it left (for repeats and probes, or always with CAUSES). */
struct ladder_text {
    char label[96];
    char options[256];
    char cause[48];
};

/* Pairs each OUT with its arrival (sets .arrival). */
void sk_ladder_pair(struct synack_ladder *l);

/* The texts of a segment event (OUT, or IN for captures). */
void sk_ladder_describe(const struct synack_ladder *l, const struct ladder_event *e,
                        struct ladder_text *t);

#endif
