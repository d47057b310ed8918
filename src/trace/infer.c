/* SPDX-License-Identifier: MIT */
/* What a capture's segments say of the two ends: each side's TCP states as far as the
 * segments show them (synack_ladder_infer_states), and where the capture was taken, from
 * the handshake's timing (synack_ladder_vantage). */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "trace/ladder_impl.h"

#define UNKNOWN (-1) /* no segment has shown the state yet */

struct end {
    int st;   /* enum synack_tcp_state, or UNKNOWN */
    bool syn; /* its SYN seen: isn holds its sequence number */
    uint32_t isn;
    bool fin; /* its FIN seen: fin_end is the sequence number after it */
    uint32_t fin_end;
    bool fin_pending; /* the peer's FIN is on its way here, crossing this end's own FIN */
};

static bool seq_ge(uint32_t a, uint32_t b)
{
    return (int32_t)(a - b) >= 0;
}

/* The changes one segment shows: of its sender before it left, of its receiver after it
 * arrived (at most four each). */
struct changes {
    int before[4], after[4];
    int nb, na;
};

static void to(struct end *e, int st, int *list, int *n)
{
    if (e->st == st) return;
    e->st = st;
    list[(*n)++] = st;
}

/* RFC 9293 3.10.7, as far as a segment seen on the path can tell: the sender's states on
 * sending a SYN, SYN,ACK, FIN or RST; the receiver's on a SYN,ACK or ACK of its SYN (3.10.7.3
 * SYN-SENT, 3.10.7.4 SYN-RECEIVED), an ACK of its FIN (FIN-WAIT-1, CLOSING, LAST-ACK) and a
 * FIN (eighth step). A segment the receiver may have found unacceptable (out of the window)
 * is taken as accepted: the capture cannot tell. */
/* The eighth step: the peer's FIN reaches e. */
static void fin_reaches(struct end *e, int *list, int *n)
{
    e->fin_pending = false;
    if (e->st == SYNACK_ESTABLISHED || e->st == SYNACK_SYN_RECEIVED)
        to(e, SYNACK_CLOSE_WAIT, list, n);
    else if (e->st == SYNACK_FIN_WAIT_1)
        to(e, SYNACK_CLOSING, list, n);
    else if (e->st == SYNACK_FIN_WAIT_2)
        to(e, SYNACK_TIME_WAIT, list, n);
}

/* One segment from a to b. `crossing`: it is a's FIN, and b's own FIN does not acknowledge
 * it: the two crossed (a simultaneous close, RFC 9293 3.6 figure 13), so b sent its FIN
 * before this one reached it. b takes it in when a's next segment arrives (one sender's
 * segments arrive in order) or when b acknowledges it, whichever the capture shows first. */
static void step(struct end *a, struct end *b, const struct synack_trace_segment *s, bool crossing,
                 struct changes *c)
{
    uint8_t f = s->flags;
    c->nb = c->na = 0;
    if (a->fin_pending && (f & SYNACK_ACK) && b->fin && seq_ge(s->ack, b->fin_end))
        fin_reaches(a, c->before, &c->nb);
    if (b->fin_pending) fin_reaches(b, c->after, &c->na);
    if (f & SYNACK_RST) {
        if (a->st != SYNACK_CLOSED) to(a, SYNACK_CLOSED, c->before, &c->nb);
        if (b->st != UNKNOWN && b->st != SYNACK_LISTEN) to(b, SYNACK_CLOSED, c->after, &c->na);
        return;
    }
    if (f & SYNACK_SYN) {
        if (!a->syn) {
            a->syn = true;
            a->isn = s->seq;
        }
        if (!(f & SYNACK_ACK)) {
            /* An active open; a SYN reaching an end in SYN-SENT is a simultaneous open
             * (3.10.7.3: "Otherwise enter SYN-RECEIVED"). */
            if (a->st == UNKNOWN || a->st == SYNACK_CLOSED)
                to(a, SYNACK_SYN_SENT, c->before, &c->nb);
            if (b->st == SYNACK_SYN_SENT) to(b, SYNACK_SYN_RECEIVED, c->after, &c->na);
            return;
        }
        if (a->st == UNKNOWN || a->st == SYNACK_CLOSED || a->st == SYNACK_LISTEN ||
            a->st == SYNACK_SYN_SENT)
            to(a, SYNACK_SYN_RECEIVED, c->before, &c->nb);
        /* SYN-SENT: "If SND.UNA > ISS (our SYN has been ACKed), change the connection state
         * to ESTABLISHED"; in a simultaneous open the end in SYN-RECEIVED likewise. */
        if ((b->st == SYNACK_SYN_SENT || b->st == SYNACK_SYN_RECEIVED) && b->syn &&
            s->ack == b->isn + 1)
            to(b, SYNACK_ESTABLISHED, c->after, &c->na);
        return;
    }
    /* A capture that starts after the handshake: both ends were synchronized. */
    if (a->st == UNKNOWN) a->st = SYNACK_ESTABLISHED;
    if (b->st == UNKNOWN) b->st = SYNACK_ESTABLISHED;
    if (f & SYNACK_FIN) {
        if (!a->fin) {
            a->fin = true;
            a->fin_end = s->seq + s->len + 1;
        }
        if (a->st == SYNACK_ESTABLISHED || a->st == SYNACK_SYN_RECEIVED)
            to(a, SYNACK_FIN_WAIT_1, c->before, &c->nb);
        else if (a->st == SYNACK_CLOSE_WAIT)
            to(a, SYNACK_LAST_ACK, c->before, &c->nb);
    }
    if (f & SYNACK_ACK) {
        if (b->st == SYNACK_SYN_RECEIVED && b->syn && seq_ge(s->ack, b->isn + 1))
            to(b, SYNACK_ESTABLISHED, c->after, &c->na);
        if (b->fin && seq_ge(s->ack, b->fin_end)) { /* the ACK of b's FIN (fifth step) */
            if (b->st == SYNACK_FIN_WAIT_1)
                to(b, SYNACK_FIN_WAIT_2, c->after, &c->na);
            else if (b->st == SYNACK_CLOSING)
                to(b, SYNACK_TIME_WAIT, c->after, &c->na);
            else if (b->st == SYNACK_LAST_ACK)
                to(b, SYNACK_CLOSED, c->after, &c->na);
        }
    }
    if (f & SYNACK_FIN) {
        if (crossing)
            b->fin_pending = true; /* b sends its FIN before this one reaches it */
        else
            fin_reaches(b, c->after, &c->na);
    }
}

static void state_event(struct ladder_event *out, const struct ladder_event *seg, int side,
                        int from, int st)
{
    const struct synack_trace_segment *s = &seg->ev.u.segment;
    memset(out, 0, sizeof *out);
    out->ev.kind = SYNACK_TRACE_STATE;
    out->ev.time = seg->ev.time;
    /* The side's own endpoint first, as a stack traces it. */
    bool sender = side == seg->side;
    out->ev.local = sender ? s->src : s->dst;
    out->ev.remote = sender ? s->dst : s->src;
    out->ev.u.state.from = from == UNKNOWN ? SYNACK_CLOSED : (enum synack_tcp_state)from;
    out->ev.u.state.to = (enum synack_tcp_state)st;
    out->side = side;
    out->arrival = -1;
}

int synack_ladder_infer_states(struct synack_ladder *l)
{
    if (!l) return -EINVAL;
    for (size_t i = 0; i < l->count; i++)
        if (l->events[i].ev.kind == SYNACK_TRACE_STATE) return 0; /* traced: nothing to infer */
    /* Which FIN crosses the other side's: the first FIN of each side, and whether the
     * other's first FIN after it leaves it unacknowledged. */
    size_t first_fin[2] = {SIZE_MAX, SIZE_MAX};
    for (size_t i = 0; i < l->count; i++) {
        const struct ladder_event *e = &l->events[i];
        if (e->ev.kind == SYNACK_TRACE_SEGMENT_OUT && (e->ev.u.segment.flags & SYNACK_FIN) &&
            !(e->ev.u.segment.flags & SYNACK_RST) && first_fin[e->side] == SIZE_MAX)
            first_fin[e->side] = i;
    }
    size_t crossing = SIZE_MAX; /* the event index of a FIN that crosses the other's */
    for (int side = 0; side < 2; side++) {
        size_t i = first_fin[side], j = first_fin[!side];
        if (i == SIZE_MAX || j == SIZE_MAX || j < i) continue;
        const struct synack_trace_segment *a = &l->events[i].ev.u.segment,
                                          *b = &l->events[j].ev.u.segment;
        if (!(b->flags & SYNACK_ACK) || !seq_ge(b->ack, a->seq + a->len + 1)) crossing = i;
    }
    /* Then the changes: counted, then written out with the segments. */
    struct end ends[2];
    size_t added = 0;
    struct changes c;
    memset(ends, 0, sizeof ends);
    ends[0].st = ends[1].st = UNKNOWN;
    for (size_t i = 0; i < l->count; i++) {
        const struct ladder_event *e = &l->events[i];
        if (e->ev.kind != SYNACK_TRACE_SEGMENT_OUT) continue;
        step(&ends[e->side], &ends[!e->side], &e->ev.u.segment, i == crossing, &c);
        added += (size_t)(c.nb + c.na);
    }
    if (added == 0) return 0;
    struct ladder_event *ev = malloc((l->count + added) * sizeof *ev);
    if (!ev) return -ENOMEM;
    memset(ends, 0, sizeof ends);
    ends[0].st = ends[1].st = UNKNOWN;
    size_t n = 0;
    for (size_t i = 0; i < l->count; i++) {
        const struct ladder_event *e = &l->events[i];
        if (e->ev.kind != SYNACK_TRACE_SEGMENT_OUT) {
            ev[n++] = *e;
            continue;
        }
        int was[2] = {ends[0].st, ends[1].st};
        step(&ends[e->side], &ends[!e->side], &e->ev.u.segment, i == crossing, &c);
        int from = was[e->side];
        for (int k = 0; k < c.nb; k++) {
            state_event(&ev[n++], e, e->side, from, c.before[k]);
            from = c.before[k];
        }
        ev[n++] = *e;
        from = was[!e->side];
        for (int k = 0; k < c.na; k++) {
            state_event(&ev[n++], e, !e->side, from, c.after[k]);
            from = c.after[k];
        }
    }
    free(l->events);
    l->events = ev;
    l->count = l->cap = n;
    return (int)added;
}

int synack_ladder_vantage(const struct synack_ladder *l, char *buf, size_t size)
{
    if (!l || !buf || size == 0) return -EINVAL;
    /* The first SYN, the SYN,ACK that answers it, the ACK that answers that. */
    const struct ladder_event *syn = NULL, *synack = NULL, *ack = NULL;
    for (size_t i = 0; i < l->count && !ack; i++) {
        const struct ladder_event *e = &l->events[i];
        if (e->ev.kind != SYNACK_TRACE_SEGMENT_OUT) continue;
        const struct synack_trace_segment *s = &e->ev.u.segment;
        uint8_t f = s->flags & (SYNACK_SYN | SYNACK_ACK | SYNACK_RST);
        if (!syn && f == SYNACK_SYN)
            syn = e;
        else if (syn && !synack && e->side != syn->side && f == (SYNACK_SYN | SYNACK_ACK) &&
                 s->ack == syn->ev.u.segment.seq + 1)
            synack = e;
        else if (synack && e->side == syn->side && f == SYNACK_ACK &&
                 s->ack == synack->ev.u.segment.seq + 1)
            ack = e;
    }
    if (!ack) {
        snprintf(buf, size, "capture point unknown: no complete handshake (SYN, SYN,ACK, ACK)");
        return -1;
    }
    double d1 = (double)(synack->ev.time - syn->ev.time) / 1e6,
           d2 = (double)(ack->ev.time - synack->ev.time) / 1e6;
    const char *opener = l->sides[syn->side].name, *other = l->sides[!syn->side].name;
    /* The round trip between the ends lies where the capture point is not: near the opener
     * its SYN,ACK comes a round trip after its SYN and its ACK follows at once; near the
     * other end the SYN,ACK follows the SYN at once and the ACK comes a round trip later. */
    if (d1 > 3 * d2) {
        snprintf(buf, size,
                 "taken near %s: SYN to SYN,ACK %.3f ms, SYN,ACK to ACK %.3f ms (the round trip "
                 "lies before the SYN,ACK)",
                 opener, d1, d2);
        return syn->side;
    }
    if (d2 > 3 * d1) {
        snprintf(buf, size,
                 "taken near %s: SYN to SYN,ACK %.3f ms, SYN,ACK to ACK %.3f ms (the round trip "
                 "lies after the SYN,ACK)",
                 other, d1, d2);
        return !syn->side;
    }
    snprintf(buf, size,
             "capture point unclear: SYN to SYN,ACK %.3f ms, SYN,ACK to ACK %.3f ms (alike: "
             "midway, or both ends on one host)",
             d1, d2);
    return -1;
}
