/* SPDX-License-Identifier: MIT */
/* One-line rendering of trace events (for --trace and logs). */
#include <stdio.h>
#include "synack/ladder.h"
#include "synack/stack.h"

static void ip_str(uint32_t a, char *buf, size_t n)
{
    snprintf(buf, n, "%u.%u.%u.%u", a >> 24, (a >> 16) & 255, (a >> 8) & 255, a & 255);
}

char *synack_trace_format(const struct synack_trace_event *ev, char *buf, size_t size)
{
    char l[16], r[16], f[32];
    ip_str(ev->local.addr, l, sizeof l);
    ip_str(ev->remote.addr, r, sizeof r);
    double ms = (double)ev->time / 1e6;
    switch (ev->kind) {
    case SYNACK_TRACE_SEGMENT_IN:
    case SYNACK_TRACE_SEGMENT_OUT: {
        const struct synack_trace_segment *s = &ev->u.segment;
        bool out = ev->kind == SYNACK_TRACE_SEGMENT_OUT;
        snprintf(buf, size, "%.3f ms %s %s:%u %s %s:%u %s seq=%u ack=%u win=%u len=%u%s", ms,
                 out ? "OUT" : "IN ", l, ev->local.port, out ? ">" : "<", r, ev->remote.port,
                 synack_flags_str(s->flags, f, sizeof f), s->seq, s->ack, s->window, s->len,
                 s->retransmission ? " (retransmission)" : "");
        break;
    }
    case SYNACK_TRACE_STATE:
        snprintf(buf, size, "%.3f ms STATE %s:%u-%s:%u %s -> %s", ms, l, ev->local.port, r,
                 ev->remote.port, synack_state_name(ev->u.state.from),
                 synack_state_name(ev->u.state.to));
        break;
    case SYNACK_TRACE_DROP:
        snprintf(buf, size, "%.3f ms DROP %s", ms,
                 synack_counter_name((enum synack_counter)ev->u.drop.counter));
        break;
    default:
        snprintf(buf, size, "%.3f ms ?", ms);
        break;
    }
    return buf;
}
