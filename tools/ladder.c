/* SPDX-License-Identifier: MIT */
/* `synack ladder FILE`: reads a capture (pcap or pcapng from synack, tcpdump or tshark),
 * picks one TCP connection and draws it as a ladder, in the terminal and with --svg as a
 * picture; or reads a trace file (synack_ladder_load) and draws all of it. The capture saw each
 * segment once, at one point of the path: arrows are drawn at the time they were seen, without
 * arrival times; a segment that repeats sequence space its sender had already sent is marked as a
 * retransmission. */
#include "ladder.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "synack/ladder.h"
#include "synack/stack.h"
#include "charset.h"

struct conn {
    struct synack_endpoint a, b; /* a: the side that sent the first SYN (or segment) */
    bool a_from_syn;
};

struct capture {
    struct synack_trace_event *ev;
    size_t count, cap;
    bool oom;
};

static void keep(void *ctx, const struct synack_trace_event *ev)
{
    struct capture *c = ctx;
    if (c->count == c->cap) {
        size_t cap = c->cap ? c->cap * 2 : 1024;
        struct synack_trace_event *e = realloc(c->ev, cap * sizeof *e);
        if (!e) {
            c->oom = true;
            return;
        }
        c->ev = e;
        c->cap = cap;
    }
    c->ev[c->count++] = *ev;
}

static bool ep_eq(struct synack_endpoint x, struct synack_endpoint y)
{
    return x.addr == y.addr && x.port == y.port;
}

/* 0 if ev is not of conn, 1 if sent by a, 2 if sent by b. */
static int belongs(const struct conn *c, const struct synack_trace_segment *s)
{
    if (ep_eq(s->src, c->a) && ep_eq(s->dst, c->b)) return 1;
    if (ep_eq(s->src, c->b) && ep_eq(s->dst, c->a)) return 2;
    return 0;
}

/* The connections in order of first appearance (at most max). */
static size_t find_conns(const struct capture *cap, struct conn *out, size_t max)
{
    size_t n = 0;
    for (size_t i = 0; i < cap->count; i++) {
        const struct synack_trace_segment *s = &cap->ev[i].u.segment;
        bool syn = (s->flags & (SYNACK_SYN | SYNACK_ACK)) == SYNACK_SYN;
        size_t k;
        for (k = 0; k < n; k++)
            if (belongs(&out[k], s)) break;
        if (k < n) {
            /* A SYN after the first segments seen names the opener (a capture may start
             * mid-connection and see a new incarnation). */
            if (syn && !out[k].a_from_syn) {
                out[k].a = s->src;
                out[k].b = s->dst;
                out[k].a_from_syn = true;
            }
            continue;
        }
        if (n == max) continue;
        out[n].a = s->src;
        out[n].b = s->dst;
        out[n].a_from_syn = syn;
        n++;
    }
    return n;
}

static void ep_str(struct synack_endpoint e, char *buf, size_t n)
{
    snprintf(buf, n, "%u.%u.%u.%u:%u", e.addr >> 24, (e.addr >> 16) & 255, (e.addr >> 8) & 255,
             e.addr & 255, e.port);
}

/* What write_out draws from. */
struct output {
    struct synack_ladder *lad;
    synack_time_t origin;
    int direction;
    const char *title, *source;
};

/* Writes the ladder (what 0), the time-sequence graph (1), the report (2), the cwnd (3) or
 * the RTT graph (4; a capture has no such events: the picture says so) to path ("-":
 * stdout); nothing if path is NULL. Returns 0, or 1 after saying what failed. */
static int write_out(const struct output *o, const char *path, int what)
{
    if (!path) return 0;
    FILE *out = strcmp(path, "-") ? fopen(path, "w") : stdout;
    if (!out) {
        fprintf(stderr, "synack ladder: %s: %s\n", path, strerror(errno));
        return 1;
    }
    int rc = what == 0   ? synack_ladder_svg(o->lad, out, o->origin)
             : what == 1 ? synack_ladder_tsg_svg(o->lad, out, o->direction, o->origin)
             : what == 3 ? synack_ladder_cwnd_svg(o->lad, out, o->direction, o->origin)
             : what == 4 ? synack_ladder_rtt_svg(o->lad, out, o->direction, o->origin)
                         : synack_ladder_html(o->lad, out, o->origin, o->title, o->source);
    if (out != stdout && fclose(out) != 0) rc = -EIO;
    if (rc < 0) fprintf(stderr, "synack ladder: %s: write failed\n", path);
    return rc < 0;
}

/* Where the pictures go (NULL: not drawn; "-": stdout). */
struct paths {
    const char *svg, *tsg, *cwnd, *rtt, *html;
};

/* Writes the pictures asked for, then the text ladder unless a picture went to stdout.
 * Returns 0, or 1 if one could not be written. */
static int draw(const struct output *o, const struct paths *p)
{
    int rc = write_out(o, p->svg, 0) | write_out(o, p->tsg, 1) | write_out(o, p->cwnd, 3) |
             write_out(o, p->rtt, 4) | write_out(o, p->html, 2);
    const char *all[] = {p->svg, p->tsg, p->cwnd, p->rtt, p->html};
    bool to_stdout = false;
    for (size_t i = 0; i < sizeof all / sizeof all[0]; i++)
        to_stdout |= all[i] && !strcmp(all[i], "-");
    if (!to_stdout) {
        synack_ladder_header(o->lad, stdout);
        synack_ladder_render(o->lad, stdout, o->origin);
    }
    return rc;
}

/* A trace file (synack sim --save, synack demo --save): both hosts' events as they were
 * traced, drawn as the run drew them. Returns the exit status. */
static int draw_trace(FILE *in, const char *file, unsigned flags, int direction,
                      const struct paths *p)
{
    char err[128];
    struct synack_ladder *lad = synack_ladder_load(in, err, sizeof err);
    if (in != stdin) fclose(in);
    if (!lad) {
        fprintf(stderr, "synack ladder: %s: %s\n", file, err);
        return 1;
    }
    synack_ladder_set_flags(lad, flags);
    char source[1100];
    snprintf(source, sizeof source, "trace file %s", file);
    struct output o = {lad, 0, direction, "TCP, traced by synack", source};
    int rc = draw(&o, p);
    synack_ladder_free(lad);
    return rc;
}

static void usage(FILE *out)
{
    fprintf(out,
            "usage: synack ladder FILE [--svg OUT.svg] [--tsg OUT.svg] [--tsg-other]\n"
            "                         [--cwnd OUT.svg] [--rtt OUT.svg] [--html OUT.html]\n"
            "                         [--conn N] [--absolute] [--causes]\n"
            "                         [--ascii | --unicode]\n\n"
            "Draws one TCP connection of a capture as a ladder: each segment as an arrow with\n"
            "its flags, sequence numbers (relative to each side's ISN), ACK, window (scaled\n"
            "once both SYNs carried the window scale option) and options as tcpdump writes\n"
            "them; segments that repeat sequence space are marked [rtx]; each side's states\n"
            "as far as the segments show them; and where the capture was taken, from the\n"
            "timing of the handshake.\n"
            "FILE: pcap or pcapng from synack, tcpdump or tshark (raw IP, Ethernet, Linux\n"
            "cooked v1/v2, loopback), or a trace file written by synack sim --save or\n"
            "synack demo --save (both hosts' events: drawn as the run drew them).\n\n"
            "  --svg OUT    also write the ladder as an SVG picture to OUT ('-': stdout,\n"
            "               instead of the text)\n"
            "  --tsg OUT    write the time-sequence graph (sequence numbers over time, the\n"
            "               ACK and window lines, retransmissions, SACK blocks) of the side\n"
            "               that sent the most data as an SVG picture to OUT ('-': stdout)\n"
            "  --tsg-other  graph the other direction (the side sending less data)\n"
            "  --cwnd OUT, --rtt OUT  the congestion-window and round-trip graphs of synack\n"
            "               sim and demo; a capture holds no congestion-control events, so\n"
            "               these pictures only say so\n"
            "  --html OUT   write one self-contained HTML report to OUT ('-': stdout): the\n"
            "               ladder, the graphs, retransmissions, the text and every segment\n"
            "  --conn N     the Nth TCP connection in the capture (default 1; the list of\n"
            "               connections goes to stderr when there are several)\n"
            "  --absolute   sequence and acknowledgment numbers as on the wire\n"
            "  --causes     the cause of every segment, not only of repeats (a capture shows\n"
            "               no engine decisions: repeats are marked [rtx])\n"
            "  --ascii, --unicode  draw the arrows and lines in ASCII or in Unicode (default:\n"
            "               Unicode on a UTF-8 terminal, else ASCII)\n");
}

int ladder_main(int argc, char **argv)
{
    const char *file = NULL, *svg = NULL, *tsg = NULL, *cwnd = NULL, *rtt = NULL, *html = NULL;
    int direction = SYNACK_TSG_MOST;
    unsigned flags = SYNACK_LADDER_CAPTURE;
    enum tool_charset charset = CHARSET_AUTO;
    long want = 1;
    for (int i = 0; i < argc; i++) {
        if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
            usage(stdout);
            return 0;
        } else if (!strcmp(argv[i], "--svg") && i + 1 < argc) {
            svg = argv[++i];
        } else if (!strcmp(argv[i], "--tsg") && i + 1 < argc) {
            tsg = argv[++i];
        } else if (!strcmp(argv[i], "--cwnd") && i + 1 < argc) {
            cwnd = argv[++i];
        } else if (!strcmp(argv[i], "--rtt") && i + 1 < argc) {
            rtt = argv[++i];
        } else if (!strcmp(argv[i], "--html") && i + 1 < argc) {
            html = argv[++i];
        } else if (!strcmp(argv[i], "--tsg-other")) {
            direction = SYNACK_TSG_LEAST;
        } else if (!strcmp(argv[i], "--conn") && i + 1 < argc) {
            char *end;
            want = strtol(argv[++i], &end, 10);
            if (*end || want < 1) {
                fprintf(stderr, "synack ladder: --conn wants a number from 1\n");
                return 2;
            }
        } else if (!strcmp(argv[i], "--absolute")) {
            flags |= SYNACK_LADDER_ABSOLUTE;
        } else if (!strcmp(argv[i], "--causes")) {
            flags |= SYNACK_LADDER_CAUSES;
        } else if (tool_charset_flag(argv[i], &charset)) {
            continue;
        } else if (argv[i][0] == '-' && argv[i][1]) {
            fprintf(stderr, "synack ladder: unknown argument '%s'\n", argv[i]);
            usage(stderr);
            return 2;
        } else if (!file) {
            file = argv[i];
        } else {
            fprintf(stderr, "synack ladder: one capture file at a time\n");
            return 2;
        }
    }
    if (!file) {
        usage(stderr);
        return 2;
    }
    flags |= tool_ladder_charset(charset, STDOUT_FILENO);
    FILE *in = strcmp(file, "-") ? fopen(file, "rb") : stdin;
    if (!in) {
        fprintf(stderr, "synack ladder: %s: %s\n", file, strerror(errno));
        return 1;
    }
    /* A trace file begins "synack-trace"; no capture format begins with an 's'. */
    int c0 = getc(in);
    if (c0 != EOF) ungetc(c0, in);
    struct paths p = {svg, tsg, cwnd, rtt, html};
    if (c0 == 's') return draw_trace(in, file, flags & ~SYNACK_LADDER_CAPTURE, direction, &p);
    struct capture cap = {0};
    char err[128];
    int n = synack_pcap_read(in, keep, &cap, err, sizeof err);
    if (in != stdin) fclose(in);
    if (n < 0) {
        fprintf(stderr, "synack ladder: %s: %s\n", file,
                n == -EINVAL || n == -EPROTONOSUPPORT ? err : strerror(-n));
        free(cap.ev);
        return 1;
    }
    if (cap.oom) {
        fprintf(stderr, "synack ladder: out of memory\n");
        free(cap.ev);
        return 1;
    }
    struct conn conns[64];
    size_t nconn = find_conns(&cap, conns, 64);
    if (nconn == 0) {
        fprintf(stderr, "synack ladder: %s: no TCP segment over IPv4\n", file);
        free(cap.ev);
        return 1;
    }
    char a[32], b[32];
    if (nconn > 1 || want > 1) {
        for (size_t k = 0; k < nconn; k++) {
            ep_str(conns[k].a, a, sizeof a);
            ep_str(conns[k].b, b, sizeof b);
            fprintf(stderr, "%s%zu: %s > %s\n", (long)k + 1 == want ? "*" : " ", k + 1, a, b);
        }
    }
    if ((size_t)want > nconn) {
        fprintf(stderr, "synack ladder: %s: %zu connection(s), no %ld\n", file, nconn, want);
        free(cap.ev);
        return 1;
    }
    const struct conn *c = &conns[want - 1];
    ep_str(c->a, a, sizeof a);
    ep_str(c->b, b, sizeof b);
    const char *na = c->a_from_syn ? "client" : "A", *nb = c->a_from_syn ? "server" : "B";
    struct synack_ladder *lad = synack_ladder_new(na, nb);
    if (!lad) {
        free(cap.ev);
        return 1;
    }
    synack_ladder_set_flags(lad, flags);
    /* Each side's highest sequence number sent so far: what starts below it repeats. */
    bool seen[2] = {false, false};
    uint32_t high[2] = {0, 0};
    synack_time_t origin = 0;
    bool first = true;
    for (size_t i = 0; i < cap.count; i++) {
        struct synack_trace_event *ev = &cap.ev[i];
        struct synack_trace_segment *s = &ev->u.segment;
        int who = belongs(c, s);
        if (!who) continue;
        int side = who - 1;
        if (first) origin = ev->time;
        first = false;
        uint32_t end = s->seq + s->len + !!(s->flags & SYNACK_SYN) + !!(s->flags & SYNACK_FIN);
        if (end != s->seq) {
            if (seen[side] && (int32_t)(s->seq - high[side]) < 0) s->retransmission = true;
            if (!seen[side] || (int32_t)(end - high[side]) > 0) high[side] = end;
            seen[side] = true;
        }
        synack_ladder_add(lad, side, ev);
    }
    if (synack_ladder_infer_states(lad) < 0) {
        fprintf(stderr, "synack ladder: out of memory\n");
        synack_ladder_free(lad);
        free(cap.ev);
        return 1;
    }
    char where[200];
    synack_ladder_vantage(lad, where, sizeof where);
    printf("%s %s%s, %s %s\n(one capture: each arrow at the time its segment passed, each state "
           "as the segments show it)\n%s\n",
           na, a, c->a_from_syn ? " (sent the SYN)" : "", nb, b, where);
    char source[1400];
    snprintf(source, sizeof source, "capture %s, connection %ld of %zu: %s %s > %s %s; %s", file,
             want, nconn, na, a, nb, b, where);
    struct output o = {lad, origin, direction, "a TCP connection from a capture", source};
    int rc = draw(&o, &p);
    synack_ladder_free(lad);
    free(cap.ev);
    return rc;
}
