/* SPDX-License-Identifier: MIT */
#include "tcp/tracepoints.h"

#include <string.h>
#include "tcp/output.h"

bool sk_trace_begin(const struct sk_engine *eng, enum synack_trace_kind kind,
                    const struct synack_endpoint *local, const struct synack_endpoint *remote,
                    struct synack_trace_event *ev)
{
    if (!eng->cfg.trace) return false;
    memset(ev, 0, sizeof *ev);
    ev->kind = kind;
    ev->time = eng->now;
    if (local) ev->local = *local;
    if (remote) ev->remote = *remote;
    return true;
}

void sk_trace_emit(const struct sk_engine *eng, const struct synack_trace_event *ev)
{
    eng->cfg.trace(eng->cfg.trace_ctx, ev);
}

void sk_trace_cwnd(struct sk_engine *eng, const struct sk_tcb *tcb)
{
    struct synack_trace_event ev;
    if (!sk_trace_begin(eng, SYNACK_TRACE_CWND, &tcb->local, &tcb->remote, &ev)) return;
    ev.u.cwnd.cwnd = tcb->cwnd;
    ev.u.cwnd.ssthresh = tcb->ssthresh >= UINT32_MAX / 4 ? UINT32_MAX : tcb->ssthresh;
    ev.u.cwnd.in_flight = sk_tcp_in_flight(tcb);
    ev.u.cwnd.algorithm = tcb->cc_algo;
    ev.u.cwnd.in_recovery = tcb->in_recovery;
    sk_trace_emit(eng, &ev);
}

void sk_trace_rtt(struct sk_engine *eng, const struct sk_tcb *tcb, synack_time_t sample)
{
    struct synack_trace_event ev;
    if (!sk_trace_begin(eng, SYNACK_TRACE_RTT, &tcb->local, &tcb->remote, &ev)) return;
    ev.u.rtt.sample = sample;
    ev.u.rtt.srtt = tcb->rtt.srtt;
    ev.u.rtt.rttvar = tcb->rtt.rttvar;
    ev.u.rtt.rto = tcb->rtt.rto;
    sk_trace_emit(eng, &ev);
}

void sk_trace_timer(struct sk_engine *eng, const struct sk_tcb *tcb, int which, unsigned backoff)
{
    struct synack_trace_event ev;
    if (!sk_trace_begin(eng, SYNACK_TRACE_TIMER, &tcb->local, &tcb->remote, &ev)) return;
    ev.u.timer.which = which;
    ev.u.timer.backoff = backoff;
    sk_trace_emit(eng, &ev);
}

void sk_trace_timer_set(struct sk_engine *eng, const struct sk_tcb *tcb, int which,
                        synack_time_t at)
{
    struct synack_trace_event ev;
    if (!sk_trace_begin(eng, SYNACK_TRACE_TIMER_SET, &tcb->local, &tcb->remote, &ev)) return;
    ev.u.timer.which = which;
    ev.u.timer.at = at;
    sk_trace_emit(eng, &ev);
}
