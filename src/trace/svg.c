/* SPDX-License-Identifier: MIT */
/* The ladder as an SVG picture: two vertical lines, one arrow per segment sloping from the
 * moment it left to the moment it arrived (or stopping half-way at a cross when it was
 * lost), its label and options along it, the cause of a repeat in red, each host's states
 * beside its line and the time of each row on the left. Every arrow carries a <title>
 * with the one-line trace of the segment, which browsers show on hover. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "synack/stack.h"
#include "trace/ladder_impl.h"

#define SVG_W 960
#define X_TIME 70
#define X_LEFT 300
#define X_RIGHT 760
#define Y_TOP 70
#define ROW 26
/* White outline under text, so that labels stay readable where they cross an arrow. */
#define HALO "stroke=\"white\" stroke-width=\"3\" paint-order=\"stroke\""

void sk_xml_esc(FILE *out, const char *s)
{
    for (; *s; s++) {
        switch (*s) {
        case '&':
            fputs("&amp;", out);
            break;
        case '<':
            fputs("&lt;", out);
            break;
        case '>':
            fputs("&gt;", out);
            break;
        case '"':
            fputs("&quot;", out);
            break;
        default:
            fputc(*s, out);
        }
    }
}

void sk_svg_open(FILE *out, int w, int h, bool inline_svg)
{
    /* Inside HTML the parser gives <svg> its namespace: the page names no URL at all. */
    if (!inline_svg) fputs("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n", out);
    fprintf(out,
            "<svg%s width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\" "
            "font-family=\"monospace\" font-size=\"12\">\n",
            inline_svg ? "" : " xmlns=\"http://www.w3.org/2000/svg\"", w, h, w, h);
}

/* The row (in units of ROW/2) of each event: states, drops and segments leaving take
 * rows; an arrival sits on the row after the last one taken. */
static int *layout(const struct synack_ladder *l, int *total)
{
    int *y = calloc(l->count ? l->count : 1, sizeof *y);
    if (!y) return NULL;
    int r = 0;
    for (size_t i = 0; i < l->count; i++) {
        const struct ladder_event *e = &l->events[i];
        switch (e->ev.kind) {
        case SYNACK_TRACE_SEGMENT_OUT:
            y[i] = r;
            r += e->ev.u.segment.opt_len ? 4 : 2;
            break;
        case SYNACK_TRACE_STATE:
        case SYNACK_TRACE_DROP:
            y[i] = r;
            r += 2;
            break;
        case SYNACK_TRACE_CALL:
            y[i] = r;
            if (sk_ladder_shows_call(&e->ev)) r += 2;
            break;
        default:
            y[i] = r;
            break;
        }
    }
    *total = r;
    return y;
}

/* A square root without libm (Newton's method; x >= 1 here: arrows are long). */
static double root(double x)
{
    double r = x > 1 ? x / 2 : 1;
    for (int i = 0; i < 40; i++)
        r = (r + x / r) / 2;
    return r;
}

static double ypx(int units)
{
    return Y_TOP + units * (ROW / 2.0);
}

int synack_ladder_svg(struct synack_ladder *l, FILE *out, synack_time_t origin)
{
    return l && out ? sk_ladder_svg(l, out, origin, false) : -EINVAL;
}

int sk_ladder_svg(struct synack_ladder *l, FILE *out, synack_time_t origin, bool inline_svg)
{
    int rows = 0;
    sk_ladder_pair(l);
    int *y = layout(l, &rows);
    if (!y) return -ENOMEM;
    bool capture = (l->flags & SYNACK_LADDER_CAPTURE) != 0;
    int height = (int)(ypx(rows) + 40);
    sk_svg_open(out, SVG_W, height, inline_svg);
    fputs("<defs><marker id=\"head\" viewBox=\"0 0 10 10\" refX=\"10\" refY=\"5\" "
          "markerWidth=\"8\" markerHeight=\"8\" orient=\"auto-start-reverse\">"
          "<path d=\"M0,0 L10,5 L0,10 z\" fill=\"#333\"/></marker></defs>\n",
          out);
    fprintf(out, "<rect width=\"%d\" height=\"%d\" fill=\"white\"/>\n", SVG_W, height);
    fprintf(out, "<text class=\"title\" x=\"%d\" y=\"24\" text-anchor=\"end\">ms</text>\n", X_TIME);
    for (int s = 0; s < 2; s++) {
        int x = s ? X_RIGHT : X_LEFT;
        fprintf(out,
                "<text class=\"host\" x=\"%d\" y=\"40\" text-anchor=\"middle\" "
                "font-weight=\"bold\">",
                x);
        sk_xml_esc(out, l->sides[s].name);
        fputs("</text>\n", out);
        fprintf(out,
                "<line class=\"host-line\" x1=\"%d\" y1=\"50\" x2=\"%d\" y2=\"%.0f\" "
                "stroke=\"#000\" stroke-width=\"2\"/>\n",
                x, x, height - 20.0);
    }
    char tbuf[32], line[512];
    struct ladder_text t;
    for (size_t i = 0; i < l->count; i++) {
        const struct ladder_event *e = &l->events[i];
        const struct synack_trace_event *ev = &e->ev;
        /* Only what takes a row is drawn (arrivals sit on their arrows; the engine's inner
         * events, CWND, RTT and TIMER, are in the graphs): a time for the others would be
         * written over the next row's. */
        if (ev->kind != SYNACK_TRACE_SEGMENT_OUT && ev->kind != SYNACK_TRACE_STATE &&
            ev->kind != SYNACK_TRACE_DROP && !sk_ladder_shows_call(ev))
            continue;
        double y0 = ypx(y[i]);
        snprintf(tbuf, sizeof tbuf, "%.3f", (double)(ev->time - origin) / 1e6);
        fprintf(out,
                "<text class=\"time\" x=\"%d\" y=\"%.1f\" text-anchor=\"end\" "
                "fill=\"#666\">%s</text>\n",
                X_TIME, y0 + 4, tbuf);
        int xs = e->side ? X_RIGHT : X_LEFT, xo = e->side ? X_LEFT : X_RIGHT;
        const char *anchor = e->side ? "start" : "end";
        int dx = e->side ? 10 : -10;
        if (ev->kind == SYNACK_TRACE_STATE) {
            fprintf(out,
                    "<text class=\"state\" x=\"%d\" y=\"%.1f\" text-anchor=\"%s\" "
                    "fill=\"#0a5\">%s</text>\n",
                    xs + dx, y0 + 4, anchor, synack_state_name(ev->u.state.to));
            continue;
        }
        if (ev->kind == SYNACK_TRACE_DROP) {
            fprintf(out,
                    "<text class=\"drop\" x=\"%d\" y=\"%.1f\" text-anchor=\"%s\" "
                    "fill=\"#c00\">x dropped (%s)</text>\n",
                    xs + dx, y0 + 4, anchor,
                    synack_counter_name((enum synack_counter)ev->u.drop.counter));
            continue;
        }
        if (ev->kind == SYNACK_TRACE_CALL) {
            /* Between the lines next to its host, as in the text ladder. */
            char call[160];
            fputs("<g class=\"call\"><title>", out);
            sk_xml_esc(out, synack_trace_format(ev, line, sizeof line));
            fprintf(out, "</title><text x=\"%d\" y=\"%.1f\" text-anchor=\"%s\" fill=\"#05a\" %s>",
                    xs - dx, y0 + 4, e->side ? "end" : "start", HALO);
            sk_xml_esc(out, synack_trace_call_str(ev, call, sizeof call));
            fputs("</text></g>\n", out);
            continue;
        }
        if (ev->kind != SYNACK_TRACE_SEGMENT_OUT) continue;
        sk_ladder_describe(l, e, &t);
        bool lost = !capture && e->arrival < 0;
        double x1 = xs, x2 = xo, y1 = y0, y2 = y0;
        if (!capture && !lost) y2 = ypx(y[e->arrival]);
        if (lost) {
            x2 = (xs + xo) / 2.0;
            y2 = y0 + ROW;
        }
        const char *cls = lost ? "segment lost" : "segment";
        /* In the report each arrow links to its row of the segment table (html.c). */
        if (inline_svg) fprintf(out, "<a href=\"#seg-%zu\">", i);
        fprintf(out, "<g class=\"%s%s\"", cls, ev->u.segment.retransmission ? " rtx" : "");
        if (inline_svg) fprintf(out, " id=\"arrow-%zu\"", i);
        fputc('>', out);
        fputs("<title>", out);
        sk_xml_esc(out, synack_trace_format(ev, line, sizeof line));
        fputs("</title>", out);
        fprintf(out,
                "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"%s\" "
                "stroke-width=\"1.5\"%s%s/>",
                x1, y1, x2, y2, lost ? "#c00" : "#333", lost ? " stroke-dasharray=\"4,3\"" : "",
                lost ? "" : " marker-end=\"url(#head)\"");
        if (lost)
            fprintf(out,
                    "<path class=\"cross\" d=\"M%.1f,%.1f l12,12 m0,-12 l-12,12\" "
                    "stroke=\"#c00\" stroke-width=\"2.5\"/>",
                    x2 - 6, y2 - 6);
        /* Text along the arrow (turned to read left to right): the label above the
         * line, the options below it. */
        double cx = (x1 + x2) / 2, cy = (y1 + y2) / 2, ddx = x2 - x1, ddy = y2 - y1;
        double norm = root(ddx * ddx + ddy * ddy), c = ddx / norm, sn = ddy / norm;
        if (c < 0) {
            c = -c;
            sn = -sn;
        }
        fprintf(out, "<g transform=\"matrix(%.4f %.4f %.4f %.4f %.1f %.1f)\">", c, sn, -sn, c, cx,
                cy);
        fprintf(out, "<text class=\"label\" x=\"0\" y=\"-5\" text-anchor=\"middle\" %s>", HALO);
        sk_xml_esc(out, t.label);
        if (*t.cause) {
            fputs(" <tspan class=\"cause\" fill=\"#c00\">[", out);
            sk_xml_esc(out, t.cause);
            fputs("]</tspan>", out);
        }
        fputs("</text>", out);
        if (*t.options) {
            fprintf(out,
                    "<text class=\"options\" x=\"0\" y=\"12\" text-anchor=\"middle\" "
                    "font-size=\"10\" fill=\"#555\" %s>",
                    HALO);
            sk_xml_esc(out, t.options);
            fputs("</text>", out);
        }
        fputs("</g>", out);
        if (!capture && !lost) {
            snprintf(tbuf, sizeof tbuf, "%.3f",
                     (double)(l->events[e->arrival].ev.time - origin) / 1e6);
            fprintf(out,
                    "<text class=\"arrival\" x=\"%d\" y=\"%.1f\" text-anchor=\"%s\" "
                    "font-size=\"10\" fill=\"#666\">arr %s</text>",
                    xo - dx, y2 - 8, e->side ? "end" : "start", tbuf);
        }
        fputs(inline_svg ? "</g></a>\n" : "</g>\n", out);
    }
    fputs("</svg>\n", out);
    free(y);
    return ferror(out) ? -EIO : 0;
}
