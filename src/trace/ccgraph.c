/* SPDX-License-Identifier: MIT */
/* What the sender's stack knew, over time, for one side of one connection, from its CWND,
 * RTT and TIMER events: the congestion window as a step line, ssthresh dashed above or
 * below it (absent while unset), the bytes in flight a thin line, recovery periods shaded;
 * and the round-trip samples as dots with SRTT and RTO as step lines. The RTO, TLP and
 * persist timers' expiries are marked under the time axis of both, each with a <title>.
 * A capture has none of these events (only the stack knows them): the graphs say so. */
#include <errno.h>
#include <string.h>
#include "trace/ladder_impl.h"

#define CC_W 960
#define CC_H 380
#define PX0 90 /* the plot's left edge */
#define PW 800 /* its width */
#define PY0 50 /* its top */
#define PH 250 /* its height */

#define C_CWND "#06c"
#define C_SSTHRESH "#c00"
#define C_FLIGHT "#999"
#define C_RECOVERY "#fde0e0"
#define C_SAMPLE "#333"
#define C_SRTT "#080"
#define C_RTO "#e80"
#define C_TIMER "#a0a"

struct ccg {
    struct synack_ladder *l;
    int side;
    bool have_conn;
    struct synack_endpoint local, remote; /* the connection, as the side sees it */
    synack_time_t origin;
    struct sk_plot plot;
    unsigned cwnd_events, rtt_events;
};

/* An event of kind the side traced on the connection. */
static bool mine(const struct ccg *g, const struct ladder_event *e, enum synack_trace_kind kind)
{
    return e->side == g->side && e->ev.kind == kind && sk_ep_eq(e->ev.local, g->local) &&
           sk_ep_eq(e->ev.remote, g->remote);
}

static double xpx(const struct ccg *g, synack_time_t t)
{
    return sk_plot_x(&g->plot, sk_plot_ms(t, g->origin));
}

/* The connection (the first the side sent data on, else the first it traced CWND on),
 * the number of events, and the axes' ends: the time of the last event drawn, and the
 * highest value (rtt: in ms; else in bytes). */
static void measure(struct ccg *g, bool rtt)
{
    const struct synack_ladder *l = g->l;
    for (size_t i = 0; i < l->count; i++) {
        const struct ladder_event *e = &l->events[i];
        if (e->side != g->side) continue;
        bool data = e->ev.kind == SYNACK_TRACE_SEGMENT_OUT && e->ev.u.segment.len > 0;
        if (!data && (e->ev.kind != SYNACK_TRACE_CWND || g->have_conn)) continue;
        g->local = e->ev.local;
        g->remote = e->ev.remote;
        g->have_conn = true;
        if (data) break;
    }
    double tend = 0, top = 0;
    for (size_t i = 0; i < l->count && g->have_conn; i++) {
        const struct ladder_event *e = &l->events[i];
        double v = 0;
        if (mine(g, e, SYNACK_TRACE_CWND)) {
            const struct synack_trace_event *ev = &e->ev;
            g->cwnd_events++;
            if (!rtt) {
                v = ev->u.cwnd.cwnd > ev->u.cwnd.in_flight ? ev->u.cwnd.cwnd : ev->u.cwnd.in_flight;
                if (ev->u.cwnd.ssthresh != UINT32_MAX && ev->u.cwnd.ssthresh > v)
                    v = ev->u.cwnd.ssthresh;
            }
        } else if (mine(g, e, SYNACK_TRACE_RTT)) {
            g->rtt_events++;
            if (rtt) {
                synack_time_t m = e->ev.u.rtt.rto;
                if (e->ev.u.rtt.sample > m) m = e->ev.u.rtt.sample;
                if (e->ev.u.rtt.srtt > m) m = e->ev.u.rtt.srtt;
                v = (double)m / 1e6;
            }
        } else if (!mine(g, e, SYNACK_TRACE_TIMER)) {
            continue;
        }
        if (v > top) top = v;
        if (sk_plot_ms(e->ev.time, g->origin) > tend) tend = sk_plot_ms(e->ev.time, g->origin);
    }
    g->plot = (struct sk_plot){
        PX0, PY0, PW, PH, sk_axis_end(tend * 1.02, 0.001), sk_axis_end(top, rtt ? 0.001 : 1)};
}

/* The title, the axes, and a line saying why nothing is drawn when nothing is. */
static void frame(FILE *out, const struct ccg *g, const char *what, const char *ylabel,
                  double yleast, unsigned events)
{
    const struct synack_ladder *l = g->l;
    fprintf(out, "<rect width=\"%d\" height=\"%d\" fill=\"white\"/>\n", CC_W, CC_H);
    fprintf(out, "<text class=\"title\" x=\"%d\" y=\"22\" font-weight=\"bold\">", PX0);
    sk_xml_esc(out, l->sides[g->side].name);
    fprintf(out, ": %s over time</text>\n", what);
    sk_plot_axes(out, &g->plot, ylabel, yleast);
    if (events) return;
    fprintf(out, "<text class=\"none\" x=\"%d\" y=\"%d\" text-anchor=\"middle\">%s</text>\n",
            PX0 + PW / 2, PY0 + PH / 2,
            l->flags & SYNACK_LADDER_CAPTURE
                ? "a capture has no congestion-control events: only the sender's stack knows "
                  "them"
                : "no congestion-control event traced on this side");
}

/* Rows of labels for timer marks above the axis, and how wide a character of their 10 px
 * monospace font is (a little over its 0.6 em advance). */
#define LABEL_ROWS 3
#define LABEL_CHAR_W 6.2

/* Whether e is a timer expiry the graphs mark (RTO, TLP, persist) of g's side. */
static bool marked_timer(const struct ccg *g, const struct ladder_event *e)
{
    if (!mine(g, e, SYNACK_TRACE_TIMER)) return false;
    int which = e->ev.u.timer.which;
    return which == SYNACK_TIMER_RTO || which == SYNACK_TIMER_TLP || which == SYNACK_TIMER_PERSIST;
}

/* The expiries of the RTO, TLP and persist timers: a triangle under the time axis, its
 * name beside it, what fired in its <title>. A name goes on the lowest of LABEL_ROWS rows
 * where it clears the names before it (and, on the lowest, the next triangle); where no
 * row is free it is left out (the mark and its <title> stay): no two are written over
 * each other. */
static void timers(FILE *out, const struct ccg *g)
{
    const struct synack_ladder *l = g->l;
    double row_end[LABEL_ROWS];
    for (int r = 0; r < LABEL_ROWS; r++)
        row_end[r] = -1e9;
    size_t next = 0; /* the next marked timer after i, or l->count */
    for (size_t i = 0; i < l->count; i = next) {
        for (next = i + 1; next < l->count && !marked_timer(g, &l->events[next]); next++)
            ;
        const struct ladder_event *e = &l->events[i];
        if (!marked_timer(g, e)) continue;
        int which = e->ev.u.timer.which;
        const char *name = synack_timer_name(which);
        double x = xpx(g, e->ev.time), y = PY0 + PH;
        double next_x = next < l->count ? xpx(g, l->events[next].ev.time) - 5 : 1e9;
        fprintf(out, "<g class=\"timer %s\"><title>%s timer fired at %.3f ms", name, name,
                sk_plot_ms(e->ev.time, g->origin));
        if (which == SYNACK_TIMER_RTO) /* the first is rto #1, as the ladder counts */
            fprintf(out, " (timeout #%u)", e->ev.u.timer.backoff);
        if (which == SYNACK_TIMER_PERSIST) fprintf(out, " (%u probes sent)", e->ev.u.timer.backoff);
        fprintf(out,
                "</title><line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"%s\" "
                "stroke-dasharray=\"2,3\"/><path d=\"M%.1f,%.1f l-5,-9 h10 z\" fill=\"%s\"/>",
                x, PY0, x, y, C_TIMER, x, y, C_TIMER);
        double end = x + 6 + LABEL_CHAR_W * (double)strlen(name);
        for (int r = 0; r < LABEL_ROWS; r++) {
            if (x + 6 < row_end[r] || (r == 0 && end > next_x)) continue;
            row_end[r] = end + 4;
            fprintf(out, "<text x=\"%.1f\" y=\"%.1f\" font-size=\"10\" fill=\"%s\">%s</text>",
                    x + 6, y - 2 - 12.0 * r, C_TIMER, name);
            break;
        }
        fputs("</g>\n", out);
    }
}

/* Shaded from the first event in recovery to the first one out of it (or the end). */
static void recovery(FILE *out, const struct ccg *g)
{
    const struct synack_ladder *l = g->l;
    bool in = false;
    synack_time_t from = 0;
    for (size_t i = 0; i <= l->count; i++) {
        const struct ladder_event *e = i < l->count ? &l->events[i] : NULL;
        if (e && !mine(g, e, SYNACK_TRACE_CWND)) continue;
        bool now = e && e->ev.u.cwnd.in_recovery;
        if (now == in) continue;
        if (now) {
            from = e->ev.time;
        } else {
            double x1 = xpx(g, from), x2 = e ? xpx(g, e->ev.time) : PX0 + PW;
            fprintf(out,
                    "<rect class=\"recovery\" x=\"%.1f\" y=\"%d\" width=\"%.1f\" "
                    "height=\"%d\" fill=\"" C_RECOVERY "\"><title>recovery from %.3f ms",
                    x1, PY0, x2 - x1, PH, sk_plot_ms(from, g->origin));
            if (e) fprintf(out, " to %.3f ms", sk_plot_ms(e->ev.time, g->origin));
            fputs("</title></rect>\n", out);
        }
        in = now;
    }
}

/* The cwnd (what 0), the bytes in flight (1) or ssthresh (2, one line for each stretch it
 * is set). */
static void cwnd_line(FILE *out, const struct ccg *g, int what)
{
    static const char *const attrs[] = {
        "class=\"cwnd\" fill=\"none\" stroke=\"" C_CWND "\" stroke-width=\"2\"",
        "class=\"flight\" fill=\"none\" stroke=\"" C_FLIGHT "\" stroke-width=\"1\"",
        "class=\"ssthresh\" fill=\"none\" stroke=\"" C_SSTHRESH "\" stroke-width=\"1.5\" "
        "stroke-dasharray=\"6,3\""};
    const struct synack_ladder *l = g->l;
    struct sk_step st;
    sk_step_open(&st, out, &g->plot, attrs[what]);
    for (size_t i = 0; i < l->count; i++) {
        const struct ladder_event *e = &l->events[i];
        if (!mine(g, e, SYNACK_TRACE_CWND)) continue;
        double x = xpx(g, e->ev.time);
        uint32_t v = what == 0   ? e->ev.u.cwnd.cwnd
                     : what == 1 ? e->ev.u.cwnd.in_flight
                                 : e->ev.u.cwnd.ssthresh;
        if (what == 2 && v == UINT32_MAX)
            sk_step_close(&st, x);
        else
            sk_step_to(&st, x, v);
    }
    sk_step_close(&st, PX0 + PW);
}

/* Each sample as a dot at its time, its values in its <title>. */
static void samples(FILE *out, const struct ccg *g)
{
    const struct synack_ladder *l = g->l;
    for (size_t i = 0; i < l->count; i++) {
        const struct ladder_event *e = &l->events[i];
        if (!mine(g, e, SYNACK_TRACE_RTT)) continue;
        const struct synack_trace_event *ev = &e->ev;
        fprintf(out,
                "<g class=\"sample\"><title>sample %.3f ms at %.3f ms: srtt %.3f rttvar %.3f "
                "rto %.3f</title><circle cx=\"%.1f\" cy=\"%.1f\" r=\"2.5\" fill=\"%s\"/></g>\n",
                (double)ev->u.rtt.sample / 1e6, sk_plot_ms(ev->time, g->origin),
                (double)ev->u.rtt.srtt / 1e6, (double)ev->u.rtt.rttvar / 1e6,
                (double)ev->u.rtt.rto / 1e6, xpx(g, ev->time),
                sk_plot_y(&g->plot, (double)ev->u.rtt.sample / 1e6), C_SAMPLE);
    }
}

/* SRTT (rto false) or the RTO (true) as a step line in ms. */
static void rtt_line(FILE *out, const struct ccg *g, bool rto)
{
    const struct synack_ladder *l = g->l;
    struct sk_step st;
    sk_step_open(&st, out, &g->plot,
                 rto ? "class=\"rto\" fill=\"none\" stroke=\"" C_RTO "\" stroke-width=\"1.5\""
                     : "class=\"srtt\" fill=\"none\" stroke=\"" C_SRTT "\" stroke-width=\"1.5\"");
    for (size_t i = 0; i < l->count; i++) {
        const struct ladder_event *e = &l->events[i];
        if (!mine(g, e, SYNACK_TRACE_RTT)) continue;
        synack_time_t v = rto ? e->ev.u.rtt.rto : e->ev.u.rtt.srtt;
        sk_step_to(&st, xpx(g, e->ev.time), (double)v / 1e6);
    }
    sk_step_close(&st, PX0 + PW);
}

/* The cwnd graph (rtt false) or the RTT one. */
static int graph(struct synack_ladder *l, FILE *out, int direction, synack_time_t origin,
                 bool inline_svg, bool rtt)
{
    if (!l || !out || direction < SYNACK_TSG_LEAST || direction > 1) return -EINVAL;
    struct ccg g = {.l = l, .origin = origin};
    g.side =
        direction >= 0 ? direction : sk_ladder_busier_side(l) ^ (direction == SYNACK_TSG_LEAST);
    measure(&g, rtt);
    sk_svg_open(out, CC_W, CC_H, inline_svg);
    if (rtt) {
        frame(out, &g, "round-trip time and RTO", "ms", 0.001, g.rtt_events);
        if (g.rtt_events) {
            rtt_line(out, &g, true);
            rtt_line(out, &g, false);
            samples(out, &g);
        }
    } else {
        frame(out, &g, "congestion window", "bytes", 1, g.cwnd_events);
        if (g.cwnd_events) {
            recovery(out, &g);
            cwnd_line(out, &g, 1);
            cwnd_line(out, &g, 2);
            cwnd_line(out, &g, 0);
        }
    }
    timers(out, &g);
    static const char *const cwnd_items[][2] = {{C_CWND, "cwnd"},
                                                {C_SSTHRESH, "ssthresh (dashed)"},
                                                {C_FLIGHT, "bytes in flight"},
                                                {C_RECOVERY, "recovery"},
                                                {C_TIMER, "timer fired"}};
    static const char *const rtt_items[][2] = {
        {C_SAMPLE, "RTT sample"}, {C_SRTT, "SRTT"}, {C_RTO, "RTO"}, {C_TIMER, "timer fired"}};
    if (rtt)
        sk_plot_legend(out, PX0, CC_H - 20, rtt_items, sizeof rtt_items / sizeof rtt_items[0]);
    else
        sk_plot_legend(out, PX0, CC_H - 20, cwnd_items, sizeof cwnd_items / sizeof cwnd_items[0]);
    fputs("</svg>\n", out);
    return ferror(out) ? -EIO : 0;
}

int sk_ladder_cwnd(struct synack_ladder *l, FILE *out, int direction, synack_time_t origin,
                   bool inline_svg)
{
    return graph(l, out, direction, origin, inline_svg, false);
}

int sk_ladder_rtt(struct synack_ladder *l, FILE *out, int direction, synack_time_t origin,
                  bool inline_svg)
{
    return graph(l, out, direction, origin, inline_svg, true);
}

int synack_ladder_cwnd_svg(struct synack_ladder *l, FILE *out, int direction, synack_time_t origin)
{
    return sk_ladder_cwnd(l, out, direction, origin, false);
}

int synack_ladder_rtt_svg(struct synack_ladder *l, FILE *out, int direction, synack_time_t origin)
{
    return sk_ladder_rtt(l, out, direction, origin, false);
}
