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

/* The window s announces, scaled by its sender's shift once both SYNs carried the option
 * (own_wscale, peer_wscale: what each side's SYN announced, -1 if none or not seen). */
uint64_t sk_ladder_window(const struct synack_trace_segment *s, int own_wscale, int peer_wscale);

/* Writes s with &, <, > and " escaped for XML and HTML. */
void sk_xml_esc(FILE *out, const char *s);

/* Opens an SVG picture of w x h pixels: as a document of its own (XML declaration and
 * namespace), or without them to sit inside an HTML page (inline). */
void sk_svg_open(FILE *out, int w, int h, bool inline_svg);

/* Draws the ladder as SVG (synack_ladder_svg); inline_svg as for sk_svg_open. */
int sk_ladder_svg(struct synack_ladder *l, FILE *out, synack_time_t origin, bool inline_svg);

/* Draws the time-sequence graph (synack_ladder_tsg_svg); inline_svg as for sk_svg_open. */
int sk_ladder_tsg(struct synack_ladder *l, FILE *out, int direction, synack_time_t origin,
                  bool inline_svg);

/* The side whose data synack_ladder_tsg_svg draws by default: the one that sent the most
 * payload bytes (left on a tie). */
int sk_ladder_busier_side(const struct synack_ladder *l);

/* The texts of a segment event (OUT, or IN for captures). */
void sk_ladder_describe(const struct synack_ladder *l, const struct ladder_event *e,
                        struct ladder_text *t);

#endif
