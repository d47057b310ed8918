/* SPDX-License-Identifier: MIT */
/* What the graphs over time share (the time-sequence graph, cwnd and RTT, the state
 * timeline): a plot area with ms across and a value up, tick intervals of 1, 2 or 5 times
 * a power of ten, the grid with its labels, and step lines that hold a value until it
 * changes. */
#include <string.h>
#include "trace/ladder_impl.h"

#define TICKS 5 /* at least this many intervals fit each axis */

double sk_plot_x(const struct sk_plot *p, double v)
{
    return p->x0 + v * p->w / p->xmax;
}

double sk_plot_y(const struct sk_plot *p, double v)
{
    return p->y0 + p->h - v * p->h / p->ymax;
}

double sk_plot_ms(synack_time_t t, synack_time_t origin)
{
    return (double)(t - origin) / 1e6;
}

double sk_nice_step(double range, double least)
{
    double raw = range / TICKS, p = 1;
    while (p * 10 <= raw)
        p *= 10;
    while (p > raw && p > least)
        p /= 10;
    const double mult[] = {1, 2, 5, 10};
    for (int i = 0; i < 4; i++)
        if (p * mult[i] >= raw && p * mult[i] >= least) return p * mult[i];
    return p * 10;
}

double sk_axis_end(double range, double least)
{
    if (range <= 0) range = least;
    double step = sk_nice_step(range, least), end = step;
    while (end < range)
        end += step;
    return end;
}

void sk_plot_axes(FILE *out, const struct sk_plot *p, const char *ylabel, double yleast)
{
    double step = sk_nice_step(p->xmax, 0.001);
    fputs("<g class=\"axes\" font-size=\"11\" fill=\"#444\">\n", out);
    for (double t = 0; t <= p->xmax + step / 2; t += step) {
        double x = sk_plot_x(p, t);
        fprintf(out,
                "<line class=\"grid\" x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\" stroke=\"#eee\"/>"
                "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">%g</text>\n",
                x, p->y0, x, p->y0 + p->h + 5, x, p->y0 + p->h + 18, t);
    }
    step = ylabel ? sk_nice_step(p->ymax, yleast) : 0;
    for (double s = 0; ylabel && s <= p->ymax + step / 2; s += step) {
        double y = sk_plot_y(p, s);
        fprintf(out,
                "<line class=\"grid\" x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" stroke=\"#eee\"/>"
                "<text x=\"%d\" y=\"%.1f\" text-anchor=\"end\">",
                p->x0 - 5, y, p->x0 + p->w, y, p->x0 - 8, y + 4);
        fprintf(out, yleast >= 1 ? "%.0f</text>\n" : "%g</text>\n", s);
    }
    fprintf(out,
            "<path d=\"M%d,%d V%d H%d\" fill=\"none\" stroke=\"#000\"/>\n"
            "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\">ms</text>\n",
            p->x0, ylabel ? p->y0 : p->y0 + p->h, p->y0 + p->h, p->x0 + p->w, p->x0 + p->w / 2,
            p->y0 + p->h + 34);
    if (ylabel) {
        fprintf(out, "<text x=\"%d\" y=\"%d\" text-anchor=\"start\">", 10, p->y0 - 10);
        sk_xml_esc(out, ylabel);
        fputs("</text>\n", out);
    }
    fputs("</g>\n", out);
}

void sk_step_open(struct sk_step *s, FILE *out, const struct sk_plot *p, const char *attrs)
{
    *s = (struct sk_step){.out = out, .p = p, .attrs = attrs};
}

void sk_step_to(struct sk_step *s, double x, double v)
{
    if (!s->any)
        fprintf(s->out, "<polyline %s points=\"%.1f,%.1f", s->attrs, x, sk_plot_y(s->p, v));
    else if (v != s->last && x == s->xl) /* the corner is there already */
        fprintf(s->out, " %.1f,%.1f", x, sk_plot_y(s->p, v));
    else if (v != s->last)
        fprintf(s->out, " %.1f,%.1f %.1f,%.1f", x, sk_plot_y(s->p, s->last), x, sk_plot_y(s->p, v));
    s->any = true;
    s->last = v;
    s->xl = x;
}

void sk_step_close(struct sk_step *s, double xend)
{
    if (!s->any) return;
    if (s->xl < xend) fprintf(s->out, " %g,%.1f", xend, sk_plot_y(s->p, s->last));
    fputs("\"/>\n", s->out);
    s->any = false;
}

void sk_plot_legend(FILE *out, int x, int y, const char *const (*items)[2], size_t n)
{
    fputs("<g class=\"legend\" font-size=\"11\">", out);
    for (size_t i = 0; i < n; i++) {
        fprintf(out,
                "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"%s\" stroke-width=\"3\"/>"
                "<text x=\"%d\" y=\"%d\">%s</text>",
                x, y - 4, x + 16, y - 4, items[i][0], x + 20, y, items[i][1]);
        x += 40 + 8 * (int)strlen(items[i][1]);
    }
    fputs("</g>\n", out);
}
