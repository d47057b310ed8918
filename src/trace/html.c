/* SPDX-License-Identifier: MIT */
/* One HTML page about the events of a ladder, readable without a network: inline CSS and
 * SVG, no script, font or link. A heading with what was drawn, the connections and the
 * source; the ladder and the time-sequence graph(s) as pictures, the state timeline and
 * the sender's cwnd and RTT graphs when their events were traced; a table of every segment
 * (each arrow of the ladder links to its row); a table of segments,
 * retransmissions by cause, drops by counter and socket calls; the programs' socket calls
 * side by side; the ladder as text; every trace line in
 * a <details> that opens on a click. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "synack/stack.h"
#include "trace/ladder_impl.h"

#define MAX_CONNS 8

static const char style[] =
    "body{font-family:sans-serif;margin:1.5em;color:#222;max-width:1000px}"
    "h1{font-size:1.4em}h2{font-size:1.15em;margin-top:1.6em}"
    "pre{font-size:12px;background:#f6f6f6;padding:.6em;overflow-x:auto}"
    "table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:.2em .6em}"
    "td.n{text-align:right}svg{max-width:100%;height:auto}"
    ".source{color:#555}summary{cursor:pointer}"
    "table.segments td{font-family:monospace;font-size:12px;white-space:nowrap}"
    "table.segments td.o{white-space:normal;font-size:11px;color:#555}"
    "tr:target{background:#fe8}g.segment:target line{stroke:#e80;stroke-width:3}"
    "a:hover g.segment line{stroke:#e80;stroke-width:2.5}td.lost,td.rtx{color:#c00}";

/* Segments, bytes, retransmissions by cause and drops by counter, per side. */
struct counts {
    unsigned segments[2];
    uint64_t bytes[2];
    unsigned rtx[2], rtx_cause[SYNACK_CAUSE_COUNT][2];
    unsigned drops[SYNACK_CTR_COUNT + 1][2];  /* the last: a counter out of range */
    unsigned kinds[SYNACK_TRACE_CALL + 1];    /* events of each kind */
    unsigned calls[2], failed[2], blocked[2]; /* socket calls: all, < 0, -EAGAIN */
};

static void count_events(const struct synack_ladder *l, struct counts *c)
{
    memset(c, 0, sizeof *c);
    for (size_t i = 0; i < l->count; i++) {
        const struct ladder_event *e = &l->events[i];
        const struct synack_trace_segment *s = &e->ev.u.segment;
        if ((unsigned)e->ev.kind <= SYNACK_TRACE_CALL) c->kinds[e->ev.kind]++;
        if (e->ev.kind == SYNACK_TRACE_CALL) {
            c->calls[e->side]++;
            c->failed[e->side] += e->ev.u.call.result < 0;
            c->blocked[e->side] += !sk_ladder_shows_call(&e->ev);
        }
        if (e->ev.kind == SYNACK_TRACE_SEGMENT_OUT) {
            c->segments[e->side]++;
            c->bytes[e->side] += s->len;
            if (s->retransmission) {
                c->rtx[e->side]++;
                c->rtx_cause[s->cause < SYNACK_CAUSE_COUNT ? s->cause : 0][e->side]++;
            }
        } else if (e->ev.kind == SYNACK_TRACE_DROP) {
            int k = e->ev.u.drop.counter;
            c->drops[k >= 0 && k < SYNACK_CTR_COUNT ? k : SYNACK_CTR_COUNT][e->side]++;
        }
    }
}

static void row(FILE *out, const char *name, unsigned long long a, unsigned long long b)
{
    fputs("<tr><td>", out);
    sk_xml_esc(out, name);
    fprintf(out, "</td><td class=\"n\">%llu</td><td class=\"n\">%llu</td></tr>\n", a, b);
}

static void table(FILE *out, const struct synack_ladder *l, const struct counts *c)
{
    char name[96];
    fputs("<table><tr><th></th><th>", out);
    sk_xml_esc(out, l->sides[0].name);
    fputs("</th><th>", out);
    sk_xml_esc(out, l->sides[1].name);
    fputs("</th></tr>\n", out);
    row(out, "segments sent", c->segments[0], c->segments[1]);
    row(out, "payload bytes sent", c->bytes[0], c->bytes[1]);
    row(out, "retransmissions", c->rtx[0], c->rtx[1]);
    if (c->calls[0] || c->calls[1]) {
        row(out, "socket calls", c->calls[0], c->calls[1]);
        row(out, "socket calls that failed", c->failed[0], c->failed[1]);
        row(out, "of them, would block (-EAGAIN)", c->blocked[0], c->blocked[1]);
    }
    for (int k = 0; k < SYNACK_CAUSE_COUNT; k++) {
        if (!c->rtx_cause[k][0] && !c->rtx_cause[k][1]) continue;
        snprintf(name, sizeof name, "retransmission: %s",
                 k ? synack_trace_cause_name((enum synack_trace_cause)k) : "cause unknown");
        row(out, name, c->rtx_cause[k][0], c->rtx_cause[k][1]);
    }
    for (int k = 0; k <= SYNACK_CTR_COUNT; k++) {
        if (!c->drops[k][0] && !c->drops[k][1]) continue;
        snprintf(name, sizeof name, "dropped: %s",
                 k < SYNACK_CTR_COUNT ? synack_counter_name((enum synack_counter)k) : "?");
        row(out, name, c->drops[k][0], c->drops[k][1]);
    }
    fputs("</table>\n", out);
}

static void ep_str(struct synack_endpoint e, char *buf, size_t n)
{
    snprintf(buf, n, "%u.%u.%u.%u:%u", e.addr >> 24, (e.addr >> 16) & 255, (e.addr >> 8) & 255,
             e.addr & 255, e.port);
}

/* Each connection once (the left side's endpoint first), at most MAX_CONNS. */
static void connections(FILE *out, const struct synack_ladder *l)
{
    struct synack_endpoint seen[MAX_CONNS][2];
    size_t n = 0;
    fputs("<ul class=\"connections\">\n", out);
    for (size_t i = 0; i < l->count && n < MAX_CONNS; i++) {
        const struct ladder_event *e = &l->events[i];
        if (e->ev.kind != SYNACK_TRACE_SEGMENT_OUT) continue;
        const struct synack_trace_segment *s = &e->ev.u.segment;
        struct synack_endpoint left = e->side ? s->dst : s->src, right = e->side ? s->src : s->dst;
        size_t k;
        for (k = 0; k < n; k++)
            if (sk_ep_eq(seen[k][0], left) && sk_ep_eq(seen[k][1], right)) break;
        if (k < n) continue;
        seen[n][0] = left;
        seen[n++][1] = right;
        char a[32], b[32];
        ep_str(left, a, sizeof a);
        ep_str(right, b, sizeof b);
        fputs("<li>", out);
        sk_xml_esc(out, l->sides[0].name);
        fprintf(out, " %s \xe2\x86\x94 ", a);
        sk_xml_esc(out, l->sides[1].name);
        fprintf(out, " %s</li>\n", b);
    }
    if (n == 0) fputs("<li>no segment</li>\n", out);
    fputs("</ul>\n", out);
}

/* The application's socket calls, in time order, each in its host's column (those that
 * would have blocked are counted in the table and listed in the trace only). */
static void calls(FILE *out, const struct synack_ladder *l, synack_time_t origin)
{
    char call[160], line[512];
    fputs("<table class=\"calls\"><tr><th>ms</th><th>", out);
    sk_xml_esc(out, l->sides[0].name);
    fputs("</th><th>", out);
    sk_xml_esc(out, l->sides[1].name);
    fputs("</th></tr>\n", out);
    for (size_t i = 0; i < l->count; i++) {
        const struct ladder_event *e = &l->events[i];
        if (!sk_ladder_shows_call(&e->ev)) continue;
        fprintf(out, "<tr title=\"");
        sk_xml_esc(out, synack_trace_format(&e->ev, line, sizeof line));
        fprintf(out, "\"><td class=\"n\">%.3f</td>%s<td><code>",
                (double)(e->ev.time - origin) / 1e6, e->side ? "<td></td>" : "");
        sk_xml_esc(out, synack_trace_call_str(&e->ev, call, sizeof call));
        fprintf(out, "</code></td>%s</tr>\n", e->side ? "" : "<td></td>");
    }
    fputs("</table>\n", out);
}

/* One row per segment sent (or seen, in a capture), in time order: its fields as the
 * ladder numbers them, why it left, when it arrived. Each row is the target of its arrow
 * in the ladder (id seg-N: clicking the arrow highlights the row, CSS :target, no script)
 * and its number links back to the arrow. */
static void segments(FILE *out, const struct synack_ladder *l, synack_time_t origin)
{
    bool capture = (l->flags & SYNACK_LADDER_CAPTURE) != 0;
    char f[32], why[48], line[512];
    struct ladder_text t;
    fputs("<table class=\"segments\"><tr><th>#</th><th>ms</th><th>from</th><th>flags</th>"
          "<th>seq</th><th>ack</th><th>len</th><th>win</th><th>options</th><th>cause</th>"
          "<th>arrived</th></tr>\n",
          out);
    unsigned n = 0;
    for (size_t i = 0; i < l->count; i++) {
        const struct ladder_event *e = &l->events[i];
        if (e->ev.kind != SYNACK_TRACE_SEGMENT_OUT) continue;
        const struct synack_trace_segment *s = &e->ev.u.segment;
        sk_ladder_describe(l, e, &t);
        fprintf(out, "<tr id=\"seg-%zu\" title=\"", i);
        sk_xml_esc(out, synack_trace_format(&e->ev, line, sizeof line));
        fprintf(
            out,
            "\"><td class=\"n\"><a href=\"#arrow-%zu\">%u</a></td><td class=\"n\">%.3f</td><td>", i,
            ++n, (double)(e->ev.time - origin) / 1e6);
        sk_xml_esc(out, l->sides[e->side].name);
        fputs(" \xe2\x86\x92 ", out); /* an arrow */
        sk_xml_esc(out, l->sides[!e->side].name);
        fprintf(out, "</td><td>%s</td><td class=\"n\">%u</td><td class=\"n\">",
                synack_flags_str(s->flags, f, sizeof f), t.seq);
        if (s->flags & SYNACK_ACK) fprintf(out, "%u", t.ack);
        fprintf(out, "</td><td class=\"n\">%u</td><td class=\"n\">%llu</td><td class=\"o\">",
                s->len, (unsigned long long)t.win);
        sk_xml_esc(out, t.options);
        synack_trace_cause_str(s, why, sizeof why);
        if (!*why && s->retransmission) snprintf(why, sizeof why, "rtx");
        fprintf(out, "</td><td%s>", s->retransmission ? " class=\"rtx\"" : "");
        sk_xml_esc(out, why);
        if (capture)
            fputs("</td><td></td></tr>\n", out);
        else if (e->arrival < 0)
            fputs("</td><td class=\"lost\">lost</td></tr>\n", out);
        else
            fprintf(out, "</td><td class=\"n\">%.3f</td></tr>\n",
                    (double)(l->events[e->arrival].ev.time - origin) / 1e6);
    }
    fputs("</table>\n", out);
}

static void pre(FILE *out, const char *text)
{
    fputs("<pre>", out);
    sk_xml_esc(out, text);
    fputs("</pre>\n", out);
}

int synack_ladder_html(struct synack_ladder *l, FILE *out, synack_time_t origin, const char *title,
                       const char *source)
{
    if (!l || !out) return -EINVAL;
    if (!title || !*title) title = "TCP, traced by synack";
    struct counts c;
    count_events(l, &c);
    fputs("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\"/>\n<title>", out);
    sk_xml_esc(out, title);
    fprintf(out, "</title>\n<style>%s</style>\n</head>\n<body>\n<h1>", style);
    sk_xml_esc(out, title);
    fputs("</h1>\n", out);
    if (source && *source) {
        fputs("<p class=\"source\">Source: ", out);
        sk_xml_esc(out, source);
        fputs("</p>\n", out);
    }
    connections(out, l);
    fputs("<h2 id=\"ladder\">Ladder</h2>\n<p>Hover over an arrow for its segment's trace "
          "line; click it for its row in the <a href=\"#segments\">segment table</a>.</p>\n",
          out);
    int rc = sk_ladder_svg(l, out, origin, true);
    fputs("<h2 id=\"tsg\">Time-sequence graph</h2>\n<p>Hover over a bar for its segment "
          "and why it left.</p>\n",
          out);
    int busier = sk_ladder_busier_side(l);
    if (rc == 0) rc = sk_ladder_tsg(l, out, busier, origin, true);
    if (rc == 0 && c.bytes[!busier]) rc = sk_ladder_tsg(l, out, !busier, origin, true);
    if (rc == 0 && c.kinds[SYNACK_TRACE_STATE]) {
        fputs("<h2 id=\"states\">States</h2>\n<p>Hover over a bar for when its state began "
              "and ended.</p>\n",
              out);
        rc = sk_ladder_states(l, out, origin, true);
    }
    if (rc == 0 && c.kinds[SYNACK_TRACE_CWND]) {
        fputs("<h2 id=\"cwnd\">Congestion window</h2>\n<p>The sender's cwnd, ssthresh and "
              "bytes in flight as its stack traced them; recovery shaded, timer expiries "
              "marked under the axis.</p>\n",
              out);
        rc = sk_ladder_cwnd(l, out, busier, origin, true);
    }
    if (rc == 0 && c.kinds[SYNACK_TRACE_RTT]) {
        fputs("<h2 id=\"rtt\">Round-trip time</h2>\n<p>The sender's RTT samples, SRTT and "
              "RTO.</p>\n",
              out);
        rc = sk_ladder_rtt(l, out, busier, origin, true);
    }
    if (rc == 0) {
        fputs("<h2 id=\"segments\">Every segment</h2>\n<p>One row per segment, numbered as in the "
              "ladder (relative to each side's ISN unless absolute numbers were asked for), the "
              "window as scaled. Click an arrow in the ladder to highlight its row; click a "
              "row's number to go back to its arrow; hover over a row for its trace "
              "line.</p>\n",
              out);
        sk_ladder_pair(l);
        segments(out, l, origin);
    }
    fputs("<h2 id=\"counts\">Segments, retransmissions and drops</h2>\n", out);
    table(out, l, &c);
    if (c.kinds[SYNACK_TRACE_CALL]) {
        fputs("<h2 id=\"calls\">Socket calls</h2>\n<p>What each program asked of its "
              "stack and what the call returned (hover for the trace line).</p>\n",
              out);
        calls(out, l, origin);
    }
    /* The text ladder forgets what it drew: render it, then take the events back. */
    size_t count = l->count, size = 0, tsize = 0;
    char *text = NULL, *trace = NULL, line[512];
    FILE *mem = open_memstream(&trace, &tsize);
    if (!mem) return -ENOMEM;
    for (size_t i = 0; i < l->count; i++)
        fprintf(mem, "%s\n", synack_trace_format(&l->events[i].ev, line, sizeof line));
    fclose(mem);
    mem = open_memstream(&text, &size);
    if (!mem) {
        free(trace);
        return -ENOMEM;
    }
    synack_ladder_header(l, mem);
    synack_ladder_render(l, mem, origin);
    fclose(mem);
    l->count = count;
    fputs("<h2 id=\"text\">Ladder as text</h2>\n", out);
    pre(out, text);
    fprintf(out, "<details id=\"trace\">\n<summary>Trace: %zu events, one line each</summary>\n",
            count);
    pre(out, trace);
    fputs("</details>\n</body>\n</html>\n", out);
    free(text);
    free(trace);
    if (rc == 0 && ferror(out)) rc = -EIO;
    return rc;
}
