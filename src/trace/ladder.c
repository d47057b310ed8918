/* SPDX-License-Identifier: MIT */
/* Two-column ladder diagrams from trace events, as text and as SVG (svg.c). */
#include "synack/ladder.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "synack/stack.h"
#include "trace/ladder_impl.h"

struct synack_ladder *synack_ladder_new(const char *left_name, const char *right_name)
{
    struct synack_ladder *l = calloc(1, sizeof *l);
    if (!l) return NULL;
    const char *names[2] = {left_name ? left_name : "left", right_name ? right_name : "right"};
    for (int i = 0; i < 2; i++) {
        l->sides[i].ladder = l;
        l->sides[i].index = i;
        l->sides[i].wscale = -1;
        snprintf(l->sides[i].name, sizeof l->sides[i].name, "%s", names[i]);
    }
    return l;
}

void synack_ladder_free(struct synack_ladder *l)
{
    if (!l) return;
    free(l->events);
    free(l);
}

void synack_ladder_set_flags(struct synack_ladder *l, unsigned flags)
{
    if (l) l->flags = flags;
}

static int push(struct ladder_side *side, const struct synack_trace_event *ev)
{
    struct synack_ladder *l = side->ladder;
    if (l->count == l->cap) {
        size_t cap = l->cap ? l->cap * 2 : 256;
        struct ladder_event *e = realloc(l->events, cap * sizeof *e);
        if (!e) return -ENOMEM; /* the picture misses an event; the run is unaffected */
        l->events = e;
        l->cap = cap;
    }
    l->events[l->count].ev = *ev;
    l->events[l->count].side = side->index;
    l->events[l->count].arrival = -1;
    l->count++;
    if (ev->kind == SYNACK_TRACE_SEGMENT_OUT && (ev->u.segment.flags & SYNACK_SYN) &&
        !side->have_isn) {
        side->have_isn = true;
        side->isn = ev->u.segment.seq;
        side->wscale = ev->u.segment.wscale;
    }
    return 0;
}

static void collect(void *ctx, const struct synack_trace_event *ev)
{
    push(ctx, ev);
}

int synack_ladder_attach(struct synack_ladder *l, int side, struct synack_config *cfg)
{
    if (!l || !cfg || side < 0 || side > 1) return -EINVAL;
    cfg->trace = collect;
    cfg->trace_ctx = &l->sides[side];
    return 0;
}

int synack_ladder_add(struct synack_ladder *l, int side, const struct synack_trace_event *ev)
{
    if (!l || !ev || side < 0 || side > 1) return -EINVAL;
    return push(&l->sides[side], ev);
}

static bool same_segment(const struct synack_trace_segment *a, const struct synack_trace_segment *b)
{
    /* The window and the options (a timestamp value) tell apart two ACKs that repeat the
     * same numbers, so neither is drawn crossing the other. */
    return a->seq == b->seq && a->ack == b->ack && a->flags == b->flags && a->len == b->len &&
           a->window == b->window && a->opt_len == b->opt_len &&
           !memcmp(a->options, b->options, a->opt_len) && a->src.addr == b->src.addr &&
           a->src.port == b->src.port && a->dst.addr == b->dst.addr && a->dst.port == b->dst.port;
}

void sk_ladder_pair(struct synack_ladder *l)
{
    /* Each arrival (IN) goes with the latest identical segment the other side sent before
     * it, so that of two identical segments the earlier one shows as lost. */
    for (size_t i = 0; i < l->count; i++)
        l->events[i].arrival = -1;
    for (size_t i = 0; i < l->count; i++) {
        struct ladder_event *in = &l->events[i];
        if (in->ev.kind != SYNACK_TRACE_SEGMENT_IN) continue;
        for (size_t j = i; j-- > 0;) {
            struct ladder_event *o = &l->events[j];
            if (o->side != in->side && o->ev.kind == SYNACK_TRACE_SEGMENT_OUT && o->arrival < 0 &&
                same_segment(&o->ev.u.segment, &in->ev.u.segment)) {
                o->arrival = (long)i;
                break;
            }
        }
    }
}

bool sk_ladder_shows_call(const struct synack_trace_event *ev)
{
    return ev->kind == SYNACK_TRACE_CALL && ev->u.call.result != -EAGAIN;
}

uint64_t sk_ladder_window(const struct synack_trace_segment *s, int own_wscale, int peer_wscale)
{
    /* RFC 7323 2.2: the window of a SYN is never scaled; the others are once both SYNs
     * carried the option (a shift above 14 is taken as 14, 2.3). */
    uint64_t win = s->window;
    if (!(s->flags & SYNACK_SYN) && own_wscale >= 0 && peer_wscale >= 0)
        win <<= own_wscale > 14 ? 14 : own_wscale;
    return win;
}

void sk_ladder_describe(const struct synack_ladder *l, const struct ladder_event *e,
                        struct ladder_text *t)
{
    const struct synack_trace_segment *s = &e->ev.u.segment;
    const struct ladder_side *me = &l->sides[e->side], *peer = &l->sides[!e->side];
    bool rel = !(l->flags & SYNACK_LADDER_ABSOLUTE);
    uint32_t base = rel && me->have_isn ? me->isn : 0,
             pbase = rel && peer->have_isn ? peer->isn : 0;
    char f[32];
    size_t n = sizeof t->label;
    uint32_t seq = s->seq - base;
    int k = snprintf(t->label, n, "%s %u", synack_flags_str(s->flags, f, sizeof f), seq);
    if (s->len) k += snprintf(t->label + k, n - (size_t)k, ":%u", seq + s->len);
    if (s->flags & SYNACK_ACK)
        k += snprintf(t->label + k, n - (size_t)k, " ack %u", s->ack - pbase);
    uint64_t win = sk_ladder_window(s, me->wscale, peer->wscale);
    snprintf(t->label + k, n - (size_t)k, " win %llu", (unsigned long long)win);
    t->seq = seq;
    t->ack = s->ack - pbase;
    t->win = win;
    synack_trace_options_str(s, pbase, t->options, sizeof t->options);
    t->cause[0] = '\0';
    if (e->ev.kind == SYNACK_TRACE_SEGMENT_OUT &&
        (s->retransmission || (l->flags & SYNACK_LADDER_CAUSES) ||
         s->cause == SYNACK_CAUSE_PERSIST || s->cause == SYNACK_CAUSE_KEEPALIVE ||
         s->cause == SYNACK_CAUSE_CHALLENGE_ACK || s->cause == SYNACK_CAUSE_TLP))
        synack_trace_cause_str(s, t->cause, sizeof t->cause);
    if (!s->cause && s->retransmission) snprintf(t->cause, sizeof t->cause, "rtx");
}

/* Text layout: "%9.3f " time, the left column, '|', the arrows, '|', the right column. */
#define TIME_W 9
#define SIDE_W 12
#define MID_W 44

/* The arrows' parts are laid out as one byte each and drawn at the end, as ASCII or as
 * Unicode (one column each either way): the shaft, the heads, the cross of a loss. */
#define SHAFT '\x01'
#define HEAD_R '\x02'
#define HEAD_L '\x03'
#define CROSS '\x04'

static void put_line(FILE *out, const char *line, bool unicode)
{
    static const char *const ascii[] = {"", "-", ">", "<", "x"};
    static const char *const uni[] = {"", "\xe2\x94\x80", "\xe2\x96\xb6", "\xe2\x97\x80",
                                      "\xe2\x9c\x95"}; /* U+2500, U+25B6, U+25C0, U+2715 */
    for (const char *c = line; *c; c++) {
        if (*c >= SHAFT && *c <= CROSS)
            fputs(unicode ? uni[(int)*c] : ascii[(int)*c], out);
        else if (*c == '|' && unicode &&
                 (c - line == TIME_W + 1 + SIDE_W || c - line == TIME_W + 1 + SIDE_W + 1 + MID_W))
            fputs("\xe2\x94\x82", out); /* U+2502 for the host lines */
        else
            fputc(*c, out);
    }
    fputc('\n', out);
}

static void row(const struct synack_ladder *l, FILE *out, const char *time, const char *left,
                const char *mid, const char *right)
{
    char line[256];
    snprintf(line, sizeof line, "%*s %-*s|%-*s|%s", TIME_W, time, SIDE_W, left, MID_W, mid, right);
    size_t n = strlen(line);
    while (n > 0 && line[n - 1] == ' ')
        line[--n] = '\0';
    put_line(out, line, (l->flags & SYNACK_LADDER_UNICODE) != 0);
}

/* An arrow across the middle with text on it; a lost one stops half-way at a cross. */
static void arrow(char *mid, const char *text, bool to_right, bool lost)
{
    size_t tl = strlen(text);
    if (tl > MID_W - 4) tl = MID_W - 4;
    memset(mid, ' ', MID_W);
    mid[MID_W] = '\0';
    if (to_right) {
        size_t end = lost ? (tl + 3 > MID_W / 2 ? tl + 3 : MID_W / 2) : MID_W; /* exclusive */
        memset(mid, SHAFT, end);
        memcpy(mid + 1, text, tl);
        mid[end - 1] = lost ? CROSS : HEAD_R;
    } else if (!lost) {
        memset(mid, SHAFT, MID_W);
        mid[0] = HEAD_L;
        memcpy(mid + 2, text, tl);
    } else {
        size_t start = MID_W - (tl + 3 > MID_W / 2 ? tl + 3 : MID_W / 2);
        memset(mid + start, SHAFT, MID_W - start);
        mid[start] = CROSS;
        memcpy(mid + MID_W - 1 - tl, text, tl);
    }
}

/* Text in the middle next to one host's line (side 0: left, 1: right), cut to fit. */
static void beside(char *mid, const char *text, int side)
{
    int n = (int)strlen(text);
    if (n > MID_W - 2) n = MID_W - 2;
    if (side == 0)
        snprintf(mid, MID_W + 1, " %.*s", n, text);
    else
        snprintf(mid, MID_W + 1, "%*s%.*s ", MID_W - 1 - n, "", n, text);
}

static void fmt_ms(char *buf, size_t n, const char *prefix, synack_time_t t, synack_time_t origin)
{
    double ms = (double)(t - origin) / 1e6;
    snprintf(buf, n, "%s%.3f", prefix, ms);
    if (strlen(buf) > SIDE_W) snprintf(buf, n, "%s%.1f", prefix, ms);
}

void synack_ladder_header(const struct synack_ladder *l, FILE *out)
{
    row(l, out, "ms", l->sides[0].name, "", l->sides[1].name);
}

void synack_ladder_render(struct synack_ladder *l, FILE *out, synack_time_t origin)
{
    char mid[MID_W + 1], side[2][48], time[32];
    struct ladder_text t;
    bool capture = (l->flags & SYNACK_LADDER_CAPTURE) != 0;
    sk_ladder_pair(l);
    for (size_t i = 0; i < l->count; i++) {
        struct ladder_event *e = &l->events[i];
        const struct synack_trace_event *ev = &e->ev;
        fmt_ms(time, sizeof time, "", ev->time, origin);
        side[0][0] = side[1][0] = '\0';
        switch (ev->kind) {
        case SYNACK_TRACE_STATE:
            snprintf(side[e->side], sizeof side[0], "%s", synack_state_name(ev->u.state.to));
            row(l, out, time, side[0], "", side[1]);
            break;
        case SYNACK_TRACE_SEGMENT_OUT: {
            sk_ladder_describe(l, e, &t);
            char text[sizeof t.label + sizeof t.cause + 4];
            snprintf(text, sizeof text, "%s%s%s%s", t.label, *t.cause ? " [" : "", t.cause,
                     *t.cause ? "]" : "");
            /* A cause that does not fit on the arrow goes on the first line below it. */
            bool cause_below = *t.cause && strlen(text) > MID_W - 4;
            if (cause_below) snprintf(text, sizeof text, "%s", t.label);
            bool lost = !capture && e->arrival < 0;
            arrow(mid, text, e->side == 0, lost);
            if (lost)
                snprintf(side[!e->side], sizeof side[0], "lost");
            else if (!capture)
                fmt_ms(side[!e->side], sizeof side[0], "arr ", l->events[e->arrival].ev.time,
                       origin);
            row(l, out, time, side[0], mid, side[1]);
            if (cause_below) {
                snprintf(mid, sizeof mid, "  [%.*s]", MID_W - 4, t.cause);
                row(l, out, "", "", mid, "");
            }
            /* The options on lines of their own, cut after a comma to fit. */
            const char *o = t.options;
            while (*o) {
                size_t room = MID_W - 2, len = strlen(o);
                if (len > room) {
                    size_t cut = room;
                    while (cut > 0 && o[cut - 1] != ',')
                        cut--;
                    len = cut ? cut : room;
                }
                snprintf(mid, sizeof mid, "  %.*s", (int)len, o);
                row(l, out, "", "", mid, "");
                o += len;
            }
            break;
        }
        case SYNACK_TRACE_DROP: {
            const char *c = synack_counter_name((enum synack_counter)ev->u.drop.counter);
            char why[MID_W];
            snprintf(side[e->side], sizeof side[0], "x dropped");
            snprintf(why, sizeof why, "(%s)", c);
            beside(mid, why, e->side);
            row(l, out, time, side[0], mid, side[1]);
            break;
        }
        case SYNACK_TRACE_CALL: {
            /* The application's call, in the middle beside its host's line. */
            if (!sk_ladder_shows_call(ev)) break;
            char call[160];
            beside(mid, synack_trace_call_str(ev, call, sizeof call), e->side);
            row(l, out, time, side[0], mid, side[1]);
            break;
        }
        default:
            break; /* arrivals are shown on their arrows */
        }
    }
    l->count = 0;
}
