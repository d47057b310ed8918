/* SPDX-License-Identifier: MIT */
#include "tcp/tracepoints.h"

#include <string.h>
#include "tcp/output.h"

static bool start(struct sk_engine *eng, const struct sk_tcb *tcb, enum synack_trace_kind kind,
                  struct synack_trace_event *ev)
{
    if (!eng->cfg.trace) return false;
    memset(ev, 0, sizeof *ev);
    ev->kind = kind;
    ev->time = eng->now;
    ev->local = tcb->local;
    ev->remote = tcb->remote;
    return true;
}

void sk_trace_cwnd(struct sk_engine *eng, const struct sk_tcb *tcb)
{
    struct synack_trace_event ev;
    if (!start(eng, tcb, SYNACK_TRACE_CWND, &ev)) return;
    ev.u.cwnd.cwnd = tcb->cwnd;
    ev.u.cwnd.ssthresh = tcb->ssthresh >= UINT32_MAX / 4 ? UINT32_MAX : tcb->ssthresh;
    ev.u.cwnd.in_flight = sk_tcp_in_flight(tcb);
    ev.u.cwnd.algorithm = tcb->cc_algo;
    ev.u.cwnd.in_recovery = tcb->in_recovery;
    eng->cfg.trace(eng->cfg.trace_ctx, &ev);
}

void sk_trace_rtt(struct sk_engine *eng, const struct sk_tcb *tcb, synack_time_t sample)
{
    struct synack_trace_event ev;
    if (!start(eng, tcb, SYNACK_TRACE_RTT, &ev)) return;
    ev.u.rtt.sample = sample;
    ev.u.rtt.srtt = tcb->rtt.srtt;
    ev.u.rtt.rttvar = tcb->rtt.rttvar;
    ev.u.rtt.rto = tcb->rtt.rto;
    eng->cfg.trace(eng->cfg.trace_ctx, &ev);
}

void sk_trace_timer(struct sk_engine *eng, const struct sk_tcb *tcb, int which, unsigned backoff)
{
    struct synack_trace_event ev;
    if (!start(eng, tcb, SYNACK_TRACE_TIMER, &ev)) return;
    ev.u.timer.which = which;
    ev.u.timer.backoff = backoff;
    eng->cfg.trace(eng->cfg.trace_ctx, &ev);
}
