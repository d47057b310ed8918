/* SPDX-License-Identifier: MIT */
#include "tcp/state.h"

#include <string.h>
#include "tcp/tracepoints.h"

void sk_tcp_trace_state(struct sk_engine *eng, const struct synack_endpoint *local,
                        const struct synack_endpoint *remote, enum synack_tcp_state from,
                        enum synack_tcp_state to)
{
    struct synack_trace_event ev;
    if (!sk_trace_begin(eng, SYNACK_TRACE_STATE, local, remote, &ev)) return;
    ev.u.state.from = from;
    ev.u.state.to = to;
    sk_trace_emit(eng, &ev);
}

void sk_tcp_set_state(struct sk_engine *eng, struct sk_tcb *tcb, enum synack_tcp_state to)
{
    enum synack_tcp_state from = tcb->state;
    if (from == to) return;
    tcb->state = to;
    bool was_live = from != SYNACK_CLOSED && from != SYNACK_LISTEN;
    bool is_live = to != SYNACK_CLOSED && to != SYNACK_LISTEN;
    if (was_live != is_live) {
        if (is_live)
            eng->live++;
        else
            eng->live--;
    }
    /* Linux tcp_finish_connect and tcp_create_openreq_child start lrcvtime here. */
    if (to == SYNACK_ESTABLISHED && from != SYNACK_ESTABLISHED) tcb->last_data_recv_at = eng->now;
    if (to == SYNACK_TIME_WAIT) {
        /* RFC 9293 3.10.7.4: TIME-WAIT lasts 2 MSL; nothing else is pending. */
        tcb->rto_at = SYNACK_TIME_NEVER;
        tcb->persist_at = SYNACK_TIME_NEVER;
        tcb->tlp_at = SYNACK_TIME_NEVER;
        tcb->rack_at = SYNACK_TIME_NEVER;
        tcb->delack_at = SYNACK_TIME_NEVER;
        tcb->ka_at = SYNACK_TIME_NEVER;
        tcb->close_at = eng->now + 2 * eng->cfg.msl;
        sk_trace_timer_set(eng, tcb, SYNACK_TIMER_CLOSE, tcb->close_at);
        if (eng->hooks.time_wait) eng->hooks.time_wait(eng, tcb);
    }
    sk_tcp_trace_state(eng, &tcb->local, &tcb->remote, from, to);
}

void sk_tcp_close_with(struct sk_engine *eng, struct sk_tcb *tcb, int err)
{
    tcb->rto_at = SYNACK_TIME_NEVER;
    tcb->persist_at = SYNACK_TIME_NEVER;
    tcb->close_at = SYNACK_TIME_NEVER;
    tcb->tlp_at = SYNACK_TIME_NEVER;
    tcb->rack_at = SYNACK_TIME_NEVER;
    tcb->delack_at = SYNACK_TIME_NEVER;
    tcb->ka_at = SYNACK_TIME_NEVER;
    tcb->ack_now = false;
    if (err) {
        tcb->error = err;
    }
    sk_tcp_set_state(eng, tcb, SYNACK_CLOSED);
    eng->hooks.closed(eng, tcb);
}
