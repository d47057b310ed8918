/* SPDX-License-Identifier: MIT */
/* Two-column ladder diagrams from trace events. */
#include "synack/ladder.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "synack/stack.h"

#define LEFT_W 16
#define MID_W 56

struct ladder_event {
    struct synack_trace_event ev;
    int side;
    bool matched; /* an OUT already paired with its arrival */
    long arrival; /* OUT: index of the IN that is its arrival, or -1 */
};

struct ladder_side {
    struct synack_ladder *ladder;
    int index;
    char name[32];
    bool have_isn;
    uint32_t isn;
};

struct synack_ladder {
    struct ladder_side sides[2];
    struct ladder_event *events;
    size_t count, cap;
};

struct synack_ladder *synack_ladder_new(const char *left_name, const char *right_name)
{
    struct synack_ladder *l = calloc(1, sizeof *l);
    if (!l) return NULL;
    const char *names[2] = {left_name ? left_name : "left", right_name ? right_name : "right"};
    for (int i = 0; i < 2; i++) {
        l->sides[i].ladder = l;
        l->sides[i].index = i;
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

static void collect(void *ctx, const struct synack_trace_event *ev)
{
    struct ladder_side *side = ctx;
    struct synack_ladder *l = side->ladder;
    if (l->count == l->cap) {
        size_t cap = l->cap ? l->cap * 2 : 256;
        struct ladder_event *e = realloc(l->events, cap * sizeof *e);
        if (!e) return; /* the picture misses an event; the run is unaffected */
        l->events = e;
        l->cap = cap;
    }
    l->events[l->count].ev = *ev;
    l->events[l->count].side = side->index;
    l->events[l->count].matched = false;
    l->events[l->count].arrival = -1;
    l->count++;
    if (ev->kind == SYNACK_TRACE_SEGMENT_OUT && (ev->u.segment.flags & SYNACK_SYN) &&
        !side->have_isn) {
        side->have_isn = true;
        side->isn = ev->u.segment.seq;
    }
}

int synack_ladder_attach(struct synack_ladder *l, int side, struct synack_config *cfg)
{
    if (!l || !cfg || side < 0 || side > 1) return -EINVAL;
    cfg->trace = collect;
    cfg->trace_ctx = &l->sides[side];
    return 0;
}

static bool same_segment(const struct synack_trace_segment *a, const struct synack_trace_segment *b)
{
    return a->seq == b->seq && a->ack == b->ack && a->flags == b->flags && a->len == b->len &&
           a->src.addr == b->src.addr && a->src.port == b->src.port && a->dst.addr == b->dst.addr &&
           a->dst.port == b->dst.port;
}

/* Pairs each arrival (IN) with the latest identical segment the other side sent before
 * it, so that of two identical segments the earlier one shows as lost. */
static void pair_arrivals(struct synack_ladder *l)
{
    for (size_t i = 0; i < l->count; i++) {
        struct ladder_event *in = &l->events[i];
        if (in->ev.kind != SYNACK_TRACE_SEGMENT_IN) continue;
        for (size_t j = i; j-- > 0;) {
            struct ladder_event *o = &l->events[j];
            if (o->side != in->side && o->ev.kind == SYNACK_TRACE_SEGMENT_OUT && !o->matched &&
                same_segment(&o->ev.u.segment, &in->ev.u.segment)) {
                o->matched = true;
                o->arrival = (long)i;
                break;
            }
        }
    }
}

static void label(const struct synack_ladder *l, int side, const struct synack_trace_segment *s,
                  char *buf, size_t n)
{
    const struct ladder_side *me = &l->sides[side], *peer = &l->sides[!side];
    char f[32];
    uint32_t seq = me->have_isn ? s->seq - me->isn : s->seq;
    int k = snprintf(buf, n, "%s %u", synack_flags_str(s->flags, f, sizeof f), seq);
    if (s->len) k += snprintf(buf + k, n - (size_t)k, ":%u", seq + s->len);
    if (s->flags & SYNACK_ACK)
        k += snprintf(buf + k, n - (size_t)k, " ack %u",
                      peer->have_isn ? s->ack - peer->isn : s->ack);
    k += snprintf(buf + k, n - (size_t)k, " win %u", s->window);
    if (s->mss || s->wscale >= 0) {
        k += snprintf(buf + k, n - (size_t)k, " <");
        if (s->mss)
            k += snprintf(buf + k, n - (size_t)k, "mss %u%s", s->mss, s->wscale >= 0 ? "," : "");
        if (s->wscale >= 0) k += snprintf(buf + k, n - (size_t)k, "ws %d", s->wscale);
        k += snprintf(buf + k, n - (size_t)k, ">");
    }
    if (s->retransmission) snprintf(buf + k, n - (size_t)k, " rtx");
}

static void row(FILE *out, double ms, const char *left, const char *mid, const char *right)
{
    fprintf(out, "%10.3f  %-*s|%-*s|%s\n", ms, LEFT_W, left, MID_W, mid, right);
}

static void arrow(char *mid, const char *text, bool to_right)
{
    size_t tl = strlen(text);
    if (tl > MID_W - 6) tl = MID_W - 6;
    size_t dashes = MID_W - 2 - tl;
    size_t k = 0;
    if (!to_right) mid[k++] = '<';
    mid[k++] = '-';
    memcpy(mid + k, text, tl);
    k += tl;
    while (k < (size_t)MID_W - (to_right ? 1 : 0) && dashes-- > 0)
        mid[k++] = '-';
    while (k < (size_t)MID_W - (to_right ? 1 : 0))
        mid[k++] = '-';
    if (to_right) mid[k++] = '>';
    mid[k] = '\0';
}

void synack_ladder_render(struct synack_ladder *l, FILE *out, synack_time_t origin)
{
    char mid[MID_W + 1], text[128], right[96];
    pair_arrivals(l);
    for (size_t i = 0; i < l->count; i++) {
        struct ladder_event *e = &l->events[i];
        const struct synack_trace_event *ev = &e->ev;
        double ms = (double)(ev->time - origin) / 1e6;
        const char *blank = "";
        switch (ev->kind) {
        case SYNACK_TRACE_STATE: {
            const char *st = synack_state_name(ev->u.state.to);
            if (e->side == 0)
                row(out, ms, st, blank, blank);
            else
                row(out, ms, blank, blank, st);
            break;
        }
        case SYNACK_TRACE_SEGMENT_OUT: {
            label(l, e->side, &ev->u.segment, text, sizeof text);
            arrow(mid, text, e->side == 0);
            if (e->arrival >= 0)
                snprintf(right, sizeof right, " arrives %.3f",
                         (double)(l->events[e->arrival].ev.time - origin) / 1e6);
            else
                snprintf(right, sizeof right, " LOST");
            row(out, ms, blank, mid, right);
            break;
        }
        case SYNACK_TRACE_DROP:
            snprintf(right, sizeof right, "dropped: %s",
                     synack_counter_name((enum synack_counter)ev->u.drop.counter));
            if (e->side == 0)
                row(out, ms, "x dropped", blank, right);
            else
                row(out, ms, blank, blank, right);
            break;
        default:
            break; /* arrivals are shown on their arrows */
        }
    }
    l->count = 0;
}
