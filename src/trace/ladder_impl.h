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
 * tcpdump writes them; why it left (for repeats and probes, or always with CAUSES); and
 * the numbers of the label on their own (relative unless ABSOLUTE). */
struct ladder_text {
    char label[96];
    char options[256];
    char cause[48];
    uint32_t seq, ack;
    uint64_t win;
};

/* Whether the ladder draws event ev as a socket call beside its host: every CALL but those
 * that would have blocked (-EAGAIN: an event loop asks again and again; the trace lines
 * keep them). */
bool sk_ladder_shows_call(const struct synack_trace_event *ev);

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

/* A plot over time (plot.c): its area's top left corner (x0, y0) and size (w x h pixels),
 * ms from 0 to xmax across, a value from 0 to ymax up. */
struct sk_plot {
    int x0, y0, w, h;
    double xmax, ymax;
};

/* Where ms v (x) and value v (y) fall on the picture. */
double sk_plot_x(const struct sk_plot *p, double v);
double sk_plot_y(const struct sk_plot *p, double v);

/* ms from origin to t. */
double sk_plot_ms(synack_time_t t, synack_time_t origin);

/* A tick interval of 1, 2 or 5 times a power of ten that cuts range into at most five
 * parts (at least `least`); and the first multiple of it that reaches range. */
double sk_nice_step(double range, double least);
double sk_axis_end(double range, double least);

/* The grid, the ms ticks under the plot and the value ticks left of it (whole numbers if
 * yleast >= 1), ylabel above them; without ylabel (NULL) only the time axis. */
void sk_plot_axes(FILE *out, const struct sk_plot *p, const char *ylabel, double yleast);

/* A step line: a value held until it changes, drawn as one <polyline attrs points=...>
 * (sk_step_to for each value at x pixels, sk_step_close carries the last one on to xend;
 * nothing is written if no value came). */
struct sk_step {
    FILE *out;
    const struct sk_plot *p;
    const char *attrs;
    bool any;
    double last, xl;
};
/* A legend under a plot: for each item a short bar of colour items[i][0], text items[i][1],
 * from x along the baseline y. */
void sk_plot_legend(FILE *out, int x, int y, const char *const (*items)[2], size_t n);

/* The same endpoint. */
static inline bool sk_ep_eq(struct synack_endpoint a, struct synack_endpoint b)
{
    return a.addr == b.addr && a.port == b.port;
}

void sk_step_open(struct sk_step *s, FILE *out, const struct sk_plot *p, const char *attrs);
void sk_step_to(struct sk_step *s, double x, double v);
void sk_step_close(struct sk_step *s, double xend);

/* Draws the cwnd and the RTT graphs and the state timeline (synack_ladder_cwnd_svg,
 * synack_ladder_rtt_svg, synack_ladder_states_svg); inline_svg as for sk_svg_open. */
int sk_ladder_cwnd(struct synack_ladder *l, FILE *out, int direction, synack_time_t origin,
                   bool inline_svg);
int sk_ladder_rtt(struct synack_ladder *l, FILE *out, int direction, synack_time_t origin,
                  bool inline_svg);
int sk_ladder_states(struct synack_ladder *l, FILE *out, synack_time_t origin, bool inline_svg);

#endif
