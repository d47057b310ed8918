/* SPDX-License-Identifier: MIT */
/* The state timeline: one bar per host, coloured by the TCP state of its connection over
 * time, from its STATE events; each stretch named when it is wide enough, always in its
 * <title>. A host's connection is the first one it traced a state of (a listener's states
 * lead up to it); CLOSED is left blank. */
#include <errno.h>
#include <string.h>
#include "synack/stack.h"
#include "trace/ladder_impl.h"

#define TL_W 960
#define TL_H 150
#define PX0 90 /* the plot's left edge */
#define PW 800 /* its width */
#define PY0 40 /* the first bar's top */
#define BAR 24 /* a bar's height */
#define GAP 12 /* between the bars */

/* A colour for each state, from enum synack_tcp_state. */
static const char *state_color(enum synack_tcp_state s)
{
    static const char *const colors[] = {
        [SYNACK_LISTEN] = "#ddd",      [SYNACK_SYN_SENT] = "#9cf",   [SYNACK_SYN_RECEIVED] = "#9cf",
        [SYNACK_ESTABLISHED] = "#7d7", [SYNACK_FIN_WAIT_1] = "#fc8", [SYNACK_FIN_WAIT_2] = "#fb6",
        [SYNACK_CLOSE_WAIT] = "#fc8",  [SYNACK_CLOSING] = "#f99",    [SYNACK_LAST_ACK] = "#f99",
        [SYNACK_TIME_WAIT] = "#c9e"};
    unsigned i = (unsigned)s;
    return i < sizeof colors / sizeof colors[0] && colors[i] ? colors[i] : "#eee";
}

/* Is e a state change of side's connection? A listener's (no remote address) counts until
 * the connection's first. */
static bool of_conn(const struct ladder_event *e, int side, bool *have, struct synack_endpoint *l,
                    struct synack_endpoint *r)
{
    if (e->side != side || e->ev.kind != SYNACK_TRACE_STATE) return false;
    if (!*have && e->ev.remote.addr == 0) return true;
    if (!*have) {
        *have = true;
        *l = e->ev.local;
        *r = e->ev.remote;
    }
    return sk_ep_eq(e->ev.local, *l) && sk_ep_eq(e->ev.remote, *r);
}

static void stretch(FILE *out, const struct sk_plot *p, int side, enum synack_tcp_state s,
                    double from, double to, bool last)
{
    if (s == SYNACK_CLOSED) return;
    const char *name = synack_state_name(s);
    double x1 = sk_plot_x(p, from), x2 = last ? p->x0 + p->w : sk_plot_x(p, to);
    int y = PY0 + side * (BAR + GAP);
    fprintf(out, "<g class=\"state\"><title>%s from %.3f ms%s", name, from, last ? " on" : " to ");
    if (!last) fprintf(out, "%.3f ms", to);
    fprintf(out,
            "</title><rect x=\"%.1f\" y=\"%d\" width=\"%.1f\" height=\"%d\" fill=\"%s\" "
            "stroke=\"white\"/>",
            x1, y, x2 - x1, BAR, state_color(s));
    if (x2 - x1 >= 7.0 * (double)strlen(name) + 4)
        fprintf(out, "<text x=\"%.1f\" y=\"%d\" font-size=\"11\">%s</text>", x1 + 3, y + 16, name);
    fputs("</g>\n", out);
}

int sk_ladder_states(struct synack_ladder *l, FILE *out, synack_time_t origin, bool inline_svg)
{
    if (!l || !out) return -EINVAL;
    double tend = 0;
    unsigned states = 0;
    for (size_t i = 0; i < l->count; i++) {
        double t = sk_plot_ms(l->events[i].ev.time, origin);
        if (t > tend) tend = t;
        states += l->events[i].ev.kind == SYNACK_TRACE_STATE;
    }
    struct sk_plot p = {PX0, PY0, PW, 2 * BAR + GAP, sk_axis_end(tend * 1.02, 0.001), 1};
    sk_svg_open(out, TL_W, TL_H, inline_svg);
    fprintf(out, "<rect width=\"%d\" height=\"%d\" fill=\"white\"/>\n", TL_W, TL_H);
    fprintf(out,
            "<text class=\"title\" x=\"%d\" y=\"22\" font-weight=\"bold\">TCP states over "
            "time</text>\n",
            PX0);
    sk_plot_axes(out, &p, NULL, 1);
    for (int side = 0; side < 2; side++) {
        fprintf(out, "<text class=\"host\" x=\"%d\" y=\"%d\" text-anchor=\"end\">", PX0 - 8,
                PY0 + side * (BAR + GAP) + 16);
        sk_xml_esc(out, l->sides[side].name);
        fputs("</text>\n", out);
        bool have = false, any = false;
        struct synack_endpoint lo = {0, 0}, re = {0, 0};
        enum synack_tcp_state cur = SYNACK_CLOSED;
        double from = 0;
        for (size_t i = 0; i < l->count; i++) {
            const struct ladder_event *e = &l->events[i];
            if (!of_conn(e, side, &have, &lo, &re)) continue;
            double t = sk_plot_ms(e->ev.time, origin);
            if (any) stretch(out, &p, side, cur, from, t, false);
            cur = e->ev.u.state.to;
            from = t;
            any = true;
        }
        if (any) stretch(out, &p, side, cur, from, 0, true);
    }
    if (!states)
        fprintf(out, "<text class=\"none\" x=\"%d\" y=\"%d\" text-anchor=\"middle\">%s</text>\n",
                PX0 + PW / 2, PY0 + BAR + GAP / 2 + 4,
                l->flags & SYNACK_LADDER_CAPTURE ? "a capture has no state events"
                                                 : "no state change traced");
    fputs("</svg>\n", out);
    return ferror(out) ? -EIO : 0;
}

int synack_ladder_states_svg(struct synack_ladder *l, FILE *out, synack_time_t origin)
{
    return sk_ladder_states(l, out, origin, false);
}
