/* SPDX-License-Identifier: MIT */
/* The time-sequence graph, as Stevens (TCP/IP Illustrated) and tcptrace draw it: one
 * direction of one connection, time across, sequence number from the sender's ISN up.
 * Each data segment is a vertical bar from seq to seq+len at the time it left (a
 * retransmission in red with an R, its cause in its <title>; a segment the simulator lost
 * dashed); the receiver's cumulative ACK is a green step line, ACK plus the scaled window
 * an orange one above it (the most the sender may have sent), SACK blocks purple ranges at
 * the time of their ACK, SYN and FIN labelled, probes without data (zero window,
 * keepalive) as rings. ACKs are drawn as they reached the sender
 * when the ladder has arrivals, as their sender sent them otherwise (a capture). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "trace/ladder_impl.h"

#define TSG_W 960
#define TSG_H 520
#define PX0 90 /* the plot's left edge */
#define PW 800 /* its width */
#define PY0 50 /* its top */
#define PH 400 /* its height */

#define C_DATA "#333"
#define C_RTX "#c00"
#define C_ACK "#080"
#define C_WIN "#e80"
#define C_SACK "#a0a"
#define C_PROBE "#06c"

struct tsg {
    struct synack_ladder *l;
    int side;                        /* the data sender */
    bool at_sender;                  /* ACKs as they arrived (IN), else as sent (OUT) */
    bool have_conn;                  /* a segment of the sender was seen */
    struct synack_endpoint src, dst; /* the connection, as the sender sends */
    uint32_t isn;
    int ws_sender, ws_peer; /* the wscale each SYN announced, -1 if none */
    synack_time_t origin;
    struct sk_plot plot; /* ms from origin across, bytes from the ISN up */
    double win_top;      /* the highest ACK + window */
};

int sk_ladder_busier_side(const struct synack_ladder *l)
{
    uint64_t bytes[2] = {0, 0};
    for (size_t i = 0; i < l->count; i++)
        if (l->events[i].ev.kind == SYNACK_TRACE_SEGMENT_OUT)
            bytes[l->events[i].side] += l->events[i].ev.u.segment.len;
    return bytes[1] > bytes[0];
}

/* A segment the sender sent on the connection. */
static bool is_data(const struct tsg *g, const struct ladder_event *e)
{
    const struct synack_trace_segment *s = &e->ev.u.segment;
    return e->side == g->side && e->ev.kind == SYNACK_TRACE_SEGMENT_OUT &&
           sk_ep_eq(s->src, g->src) && sk_ep_eq(s->dst, g->dst);
}

/* A segment of the peer on the connection, as the graph shows them (see at_sender). */
static bool is_peer(const struct tsg *g, const struct ladder_event *e)
{
    const struct synack_trace_segment *s = &e->ev.u.segment;
    bool seen = g->at_sender ? e->side == g->side && e->ev.kind == SYNACK_TRACE_SEGMENT_IN
                             : e->side != g->side && e->ev.kind == SYNACK_TRACE_SEGMENT_OUT;
    return seen && sk_ep_eq(s->src, g->dst) && sk_ep_eq(s->dst, g->src);
}

static bool is_ack(const struct tsg *g, const struct ladder_event *e)
{
    return is_peer(g, e) && (e->ev.u.segment.flags & SYNACK_ACK) &&
           !(e->ev.u.segment.flags & SYNACK_RST);
}

static double rel(const struct tsg *g, uint32_t seq)
{
    return (double)(uint32_t)(seq - g->isn);
}

static double ms(const struct tsg *g, synack_time_t t)
{
    return sk_plot_ms(t, g->origin);
}

static double xpx(const struct tsg *g, synack_time_t t)
{
    return sk_plot_x(&g->plot, ms(g, t));
}

static double ypx(const struct tsg *g, double seq)
{
    return sk_plot_y(&g->plot, seq);
}

/* The connection, the ISN, both window scales, and the axes' ends. */
static void measure(struct tsg *g)
{
    struct synack_ladder *l = g->l;
    bool data_conn = false;
    for (size_t i = 0; i < l->count && !data_conn; i++) {
        const struct ladder_event *e = &l->events[i];
        if (e->side != g->side || e->ev.kind != SYNACK_TRACE_SEGMENT_OUT) continue;
        /* The first connection the sender sent data on, else the first it sent on. */
        data_conn = e->ev.u.segment.len > 0;
        if (g->have_conn && !data_conn) continue;
        g->src = e->ev.u.segment.src;
        g->dst = e->ev.u.segment.dst;
        g->have_conn = true;
    }
    g->at_sender = false;
    g->ws_sender = g->ws_peer = -1;
    bool have_isn = false, syn_isn = false;
    for (size_t i = 0; i < l->count && g->have_conn; i++) {
        const struct ladder_event *e = &l->events[i];
        const struct synack_trace_segment *s = &e->ev.u.segment;
        if (e->ev.kind == SYNACK_TRACE_SEGMENT_IN && e->side == g->side &&
            !(l->flags & SYNACK_LADDER_CAPTURE))
            g->at_sender = true;
        if (is_data(g, e) && (s->flags & SYNACK_SYN) && !syn_isn) {
            g->isn = s->seq;
            g->ws_sender = s->wscale;
            have_isn = syn_isn = true;
        } else if (is_data(g, e) && !have_isn) {
            g->isn = s->seq;
            have_isn = true;
        }
    }
    for (size_t i = 0; i < l->count && g->have_conn; i++) {
        const struct ladder_event *e = &l->events[i];
        const struct synack_trace_segment *s = &e->ev.u.segment;
        if ((e->ev.kind == SYNACK_TRACE_SEGMENT_IN || e->ev.kind == SYNACK_TRACE_SEGMENT_OUT) &&
            sk_ep_eq(s->src, g->dst) && sk_ep_eq(s->dst, g->src) && (s->flags & SYNACK_SYN)) {
            g->ws_peer = s->wscale;
            break;
        }
    }
    /* The axes cover the data and the ACKs, and the window if it stays within twice
     * that; else the window line leaves the plot (a window far above the data would
     * flatten it) and a note says how high it goes. */
    double data = 1, win = 0, tend = 0;
    for (size_t i = 0; i < l->count && g->have_conn; i++) {
        const struct ladder_event *e = &l->events[i];
        const struct synack_trace_segment *s = &e->ev.u.segment;
        if (is_data(g, e)) {
            double end = rel(g, s->seq) + s->len + !!(s->flags & SYNACK_FIN);
            if (end > data) data = end;
        } else if (is_ack(g, e)) {
            double a = rel(g, s->ack),
                   w = a + (double)sk_ladder_window(s, g->ws_peer, g->ws_sender);
            if (a > data) data = a;
            if (w > win) win = w;
        } else {
            continue;
        }
        if (ms(g, e->ev.time) > tend) tend = ms(g, e->ev.time);
    }
    double top = win > data && win <= 2 * data ? win : data;
    g->win_top = win;
    /* A little room right of the last event: its step shows. */
    g->plot =
        (struct sk_plot){PX0, PY0, PW, PH, sk_axis_end(tend * 1.02, 0.001), sk_axis_end(top, 1)};
}

static void title_of(FILE *out, const struct tsg *g, const struct ladder_event *e, const char *what)
{
    char line[512], why[48] = "";
    const struct synack_trace_segment *s = &e->ev.u.segment;
    if (e->ev.kind == SYNACK_TRACE_SEGMENT_OUT) synack_trace_cause_str(s, why, sizeof why);
    fprintf(out, "<title>%s %.0f:%.0f at %.3f ms", what, rel(g, s->seq), rel(g, s->seq) + s->len,
            ms(g, e->ev.time));
    if (s->retransmission) fputs(" retransmission", out);
    if (*why) {
        fputs(" (", out);
        sk_xml_esc(out, why);
        fputs(")", out);
    }
    fputs("\n", out);
    sk_xml_esc(out, synack_trace_format(&e->ev, line, sizeof line));
    fputs("</title>", out);
}

/* A label (SYN, FIN) with a short tick at sequence number seq. */
static void mark(FILE *out, const struct tsg *g, const struct ladder_event *e, const char *name,
                 double seq)
{
    double x = xpx(g, e->ev.time), y = ypx(g, seq);
    fprintf(out, "<g class=\"%s\">", name[0] == 'S' ? "syn" : "fin");
    title_of(out, g, e, name);
    fprintf(out,
            "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"%s\" "
            "stroke-width=\"2\"/><text x=\"%.1f\" y=\"%.1f\" font-size=\"10\">%s</text></g>\n",
            x - 4, y, x + 4, y, C_DATA, x + 5, y - 3, name);
}

static void segments(FILE *out, const struct tsg *g)
{
    const struct synack_ladder *l = g->l;
    bool capture = (l->flags & SYNACK_LADDER_CAPTURE) != 0;
    for (size_t i = 0; i < l->count; i++) {
        const struct ladder_event *e = &l->events[i];
        if (!is_data(g, e)) continue;
        const struct synack_trace_segment *s = &e->ev.u.segment;
        if (s->flags & SYNACK_SYN) mark(out, g, e, "SYN", rel(g, s->seq));
        if (s->flags & SYNACK_FIN) mark(out, g, e, "FIN", rel(g, s->seq) + s->len);
        if (!s->len && (s->cause == SYNACK_CAUSE_PERSIST || s->cause == SYNACK_CAUSE_KEEPALIVE)) {
            /* A probe without data, at SND.UNA - 1: a ring where it points. */
            fputs("<g class=\"probe\">", out);
            title_of(out, g, e, "probe");
            fprintf(out,
                    "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"3\" fill=\"none\" stroke=\"%s\"/></g>\n",
                    xpx(g, e->ev.time), ypx(g, rel(g, s->seq)), C_PROBE);
        }
        if (!s->len) continue;
        bool lost = !capture && g->at_sender && e->arrival < 0;
        const char *color = s->retransmission ? C_RTX : C_DATA;
        double x = xpx(g, e->ev.time), y1 = ypx(g, rel(g, s->seq)),
               y2 = ypx(g, rel(g, s->seq) + s->len);
        fprintf(out, "<g class=\"segment%s%s\">", s->retransmission ? " rtx" : "",
                lost ? " lost" : "");
        title_of(out, g, e, lost ? "lost" : "data");
        fprintf(out,
                "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"%s\" "
                "stroke-width=\"1.5\"%s/>"
                "<path d=\"M%.1f,%.1f h6 M%.1f,%.1f h6\" stroke=\"%s\"/>",
                x, y1, x, y2, color, lost ? " stroke-dasharray=\"3,2\"" : "", x - 3, y1, x - 3, y2,
                color);
        if (s->retransmission)
            fprintf(out,
                    "<text class=\"rtx-mark\" x=\"%.1f\" y=\"%.1f\" font-size=\"10\" "
                    "fill=\"%s\" text-anchor=\"middle\">R</text>",
                    x, y2 - 4, C_RTX);
        fputs("</g>\n", out);
    }
}

/* The ACK line (window false) or the window line (true): a step up at each ACK that moves
 * it, carried on to the last time drawn. */
static void step_line(FILE *out, const struct tsg *g, bool window)
{
    const struct synack_ladder *l = g->l;
    struct sk_step st;
    sk_step_open(&st, out, &g->plot,
                 window ? "class=\"window\" fill=\"none\" stroke=\"" C_WIN "\" stroke-width=\"1.5\""
                        : "class=\"ack\" fill=\"none\" stroke=\"" C_ACK "\" stroke-width=\"1.5\"");
    for (size_t i = 0; i < l->count; i++) {
        const struct ladder_event *e = &l->events[i];
        if (!is_ack(g, e)) continue;
        const struct synack_trace_segment *s = &e->ev.u.segment;
        double v = rel(g, s->ack);
        if (window) v += (double)sk_ladder_window(s, g->ws_peer, g->ws_sender);
        sk_step_to(&st, xpx(g, e->ev.time), v);
    }
    sk_step_close(&st, PX0 + PW);
}

static uint32_t be32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* The SACK blocks of each ACK: a purple range at the ACK's time. */
static void sacks(FILE *out, const struct tsg *g)
{
    const struct synack_ladder *l = g->l;
    for (size_t i = 0; i < l->count; i++) {
        const struct ladder_event *e = &l->events[i];
        if (!is_ack(g, e)) continue;
        const struct synack_trace_segment *s = &e->ev.u.segment;
        size_t len = s->opt_len < sizeof s->options ? s->opt_len : sizeof s->options;
        for (size_t k = 0; k < len;) {
            uint8_t kind = s->options[k];
            if (kind == 0) break;
            if (kind == 1) {
                k++;
                continue;
            }
            if (k + 1 >= len || s->options[k + 1] < 2 || k + s->options[k + 1] > len) break;
            uint8_t ol = s->options[k + 1];
            for (unsigned b = 0; kind == 5 && 2 + 8 * (b + 1) <= ol; b++) {
                double left = rel(g, be32(s->options + k + 2 + 8 * b)),
                       right = rel(g, be32(s->options + k + 6 + 8 * b));
                double x = xpx(g, e->ev.time);
                fprintf(out,
                        "<g class=\"sack\"><title>SACK %.0f:%.0f at %.3f ms</title>"
                        "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"%s\" "
                        "stroke-width=\"3\"/></g>\n",
                        left, right, ms(g, e->ev.time), x + 4, ypx(g, left), x + 4, ypx(g, right),
                        C_SACK);
            }
            k += ol;
        }
    }
}

static void legend(FILE *out)
{
    static const char *const items[][2] = {{C_DATA, "data"},       {C_RTX, "retransmission (R)"},
                                           {C_ACK, "ACK"},         {C_WIN, "ACK + window"},
                                           {C_SACK, "SACK block"}, {C_PROBE, "probe (o)"}};
    sk_plot_legend(out, PX0, TSG_H - 20, items, sizeof items / sizeof items[0]);
}

int sk_ladder_tsg(struct synack_ladder *l, FILE *out, int direction, synack_time_t origin,
                  bool inline_svg)
{
    if (!l || !out || direction < SYNACK_TSG_LEAST || direction > 1) return -EINVAL;
    struct tsg g = {.l = l, .origin = origin};
    g.side =
        direction >= 0 ? direction : sk_ladder_busier_side(l) ^ (direction == SYNACK_TSG_LEAST);
    sk_ladder_pair(l);
    measure(&g);
    sk_svg_open(out, TSG_W, TSG_H, inline_svg);
    fprintf(out, "<rect width=\"%d\" height=\"%d\" fill=\"white\"/>\n", TSG_W, TSG_H);
    fprintf(out, "<text class=\"title\" x=\"%d\" y=\"22\" font-weight=\"bold\">", PX0);
    sk_xml_esc(out, l->sides[g.side].name);
    fputs(" to ", out);
    sk_xml_esc(out, l->sides[!g.side].name);
    fprintf(out, ": sequence numbers over time (ACKs %s)</text>\n",
            g.at_sender ? "as they arrived" : "as they passed");
    sk_plot_axes(out, &g.plot, "bytes from the ISN", 1);
    if (!g.have_conn)
        fprintf(out, "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\">no segment sent</text>\n",
                PX0 + PW / 2, PY0 + PH / 2);
    /* Lines that run past the top of the plot (the window) are cut at its edge. */
    fprintf(out,
            "<clipPath id=\"tsg-clip-%d\"><rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\"/>"
            "</clipPath>\n<g clip-path=\"url(#tsg-clip-%d)\">\n",
            g.side, PX0, PY0 - 10, PW + 10, PH + 10, g.side);
    if (g.have_conn) {
        step_line(out, &g, true);
        step_line(out, &g, false);
        sacks(out, &g);
        segments(out, &g);
    }
    fputs("</g>\n", out);
    if (g.win_top > g.plot.ymax)
        fprintf(out,
                "<text class=\"note\" x=\"%d\" y=\"%d\" text-anchor=\"end\" font-size=\"11\" "
                "fill=\"%s\">ACK + window runs above, up to %.0f</text>\n",
                PX0 + PW, PY0 - 10, C_WIN, g.win_top);
    legend(out);
    fputs("</svg>\n", out);
    return ferror(out) ? -EIO : 0;
}

int synack_ladder_tsg_svg(struct synack_ladder *l, FILE *out, int direction, synack_time_t origin)
{
    return sk_ladder_tsg(l, out, direction, origin, false);
}
