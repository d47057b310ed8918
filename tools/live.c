/* SPDX-License-Identifier: MIT */
#include "live.h"

#include <stdlib.h>
#include "synack/ladder.h"

struct live_ladder {
    FILE *out;
    struct synack_ladder *lad;
    bool started; /* the header is out; origin holds the first event's time */
    synack_time_t origin;
    bool have_conn; /* the connection followed: local, remote (synack's view) */
    struct synack_endpoint local, remote;
    bool peer_seen; /* the highest sequence number the peer has sent, for [rtx] */
    uint32_t peer_high;
};

struct live_ladder *live_ladder_new(FILE *out, unsigned flags)
{
    struct live_ladder *live = calloc(1, sizeof *live);
    if (!live) return NULL;
    live->out = out;
    live->lad = synack_ladder_new("synack", "peer");
    if (!live->lad) {
        free(live);
        return NULL;
    }
    synack_ladder_set_flags(live->lad, flags | SYNACK_LADDER_CAPTURE);
    return live;
}

void live_ladder_free(struct live_ladder *live)
{
    if (!live) return;
    synack_ladder_free(live->lad);
    free(live);
}

static bool ep_eq(struct synack_endpoint a, struct synack_endpoint b)
{
    return a.addr == b.addr && a.port == b.port;
}

/* Whether ev belongs to the connection followed, choosing it at the first segment. */
static bool followed(struct live_ladder *live, const struct synack_trace_event *ev)
{
    /* A drop before any connection was found (an IPv6 packet, a bad IP header) is no
     * segment of this one. */
    if (ev->kind == SYNACK_TRACE_DROP && ev->local.port == 0 && ev->remote.port == 0) return false;
    bool segment = ev->kind == SYNACK_TRACE_SEGMENT_IN || ev->kind == SYNACK_TRACE_SEGMENT_OUT;
    if (!live->have_conn && segment) {
        live->have_conn = true;
        live->local = ev->local;
        live->remote = ev->remote;
    }
    if (!live->have_conn) return true; /* socket calls, LISTEN: the way to the connection */
    if (ep_eq(ev->local, live->local) && ep_eq(ev->remote, live->remote)) return true;
    /* Its listener's events (the accept that returned it). */
    return !segment && ev->remote.port == 0 && ev->local.port == live->local.port;
}

void live_ladder_hook(void *ctx, const struct synack_trace_event *ev)
{
    struct live_ladder *live = ctx;
    if (!followed(live, ev)) return;
    struct synack_trace_event e = *ev;
    int side = 0;
    if (ev->kind == SYNACK_TRACE_SEGMENT_IN) {
        /* The peer's segment, drawn as it sent it, at the time it reached synack. */
        const struct synack_trace_segment *s = &ev->u.segment;
        e.kind = SYNACK_TRACE_SEGMENT_OUT;
        e.local = ev->remote;
        e.remote = ev->local;
        side = 1;
        uint32_t end = s->seq + s->len + !!(s->flags & SYNACK_SYN) + !!(s->flags & SYNACK_FIN);
        if (end != s->seq) {
            if (live->peer_seen && (int32_t)(s->seq - live->peer_high) < 0)
                e.u.segment.retransmission = true;
            if (!live->peer_seen || (int32_t)(end - live->peer_high) > 0) live->peer_high = end;
            live->peer_seen = true;
        }
    } else if (ev->kind != SYNACK_TRACE_SEGMENT_OUT && ev->kind != SYNACK_TRACE_STATE &&
               ev->kind != SYNACK_TRACE_DROP && ev->kind != SYNACK_TRACE_CALL) {
        return; /* the engine's inner events draw no row */
    }
    if (!live->started) {
        live->started = true;
        live->origin = ev->time;
        synack_ladder_header(live->lad, live->out);
    }
    if (synack_ladder_add(live->lad, side, &e) < 0) return;
    synack_ladder_render(live->lad, live->out, live->origin);
    /* The connection is over: the next one to come is drawn after it, with its own header
     * and clock (a server's clients one after another). */
    if (ev->kind == SYNACK_TRACE_STATE && ev->u.state.to == SYNACK_CLOSED && live->have_conn &&
        ep_eq(ev->local, live->local) && ep_eq(ev->remote, live->remote)) {
        fputc('\n', live->out);
        live->have_conn = live->started = live->peer_seen = false;
    }
    fflush(live->out);
}
