/* SPDX-License-Identifier: MIT */
/* Connection timers: retransmission (RFC 6298), zero-window persist (RFC 9293 3.8.6.1),
 * TIME-WAIT (3.10.7.4) and the orphaned FIN-WAIT-2 limit (as Linux's tcp_fin_timeout). */
#ifndef SK_TCP_TIMERS_H
#define SK_TCP_TIMERS_H

#include "tcp/engine.h"

/* (Re)starts the retransmission timer with the current, backed-off RTO. */
void sk_tcp_arm_rto(struct sk_engine *eng, struct sk_tcb *tcb);

/* Starts the persist timer if the peer's window is zero with data waiting and nothing in
 * flight; stops it once the window opens. */
void sk_tcp_update_persist(struct sk_engine *eng, struct sk_tcb *tcb);

/* Arms the tail loss probe if RFC 8985 7.2 allows it now (SACK agreed, not recovering,
 * no backoff, data in flight), never past the RTO; otherwise disarms it. */
void sk_tcp_arm_tlp(struct sk_engine *eng, struct sk_tcb *tcb);

/* Keepalive (RFC 1122 4.2.3.6): the idle time before the first probe, the time between
 * probes and how many go unanswered before the connection is dropped: the socket's
 * (TCP_KEEPIDLE, TCP_KEEPINTVL, TCP_KEEPCNT), else the config's. */
static inline synack_time_t sk_tcp_ka_idle(const struct sk_engine *eng, const struct sk_tcb *tcb)
{
    return tcb->ka_idle_s ? SYNACK_SEC(tcb->ka_idle_s) : eng->cfg.keepalive_idle;
}

static inline synack_time_t sk_tcp_ka_interval(const struct sk_engine *eng,
                                               const struct sk_tcb *tcb)
{
    return tcb->ka_interval_s ? SYNACK_SEC(tcb->ka_interval_s) : eng->cfg.keepalive_interval;
}

static inline unsigned sk_tcp_ka_max(const struct sk_engine *eng, const struct sk_tcb *tcb)
{
    return tcb->ka_max ? tcb->ka_max : eng->cfg.keepalive_probes;
}

/* Starts (or stops) the keepalive clock after the socket option changed. */
void sk_tcp_keepalive_set(struct sk_engine *eng, struct sk_tcb *tcb, bool on);

/* Runs every timer of tcb due at eng->now. */
void sk_tcp_timers_run(struct sk_engine *eng, struct sk_tcb *tcb);

/* The earliest armed deadline of tcb, or SYNACK_TIME_NEVER. */
synack_time_t sk_tcp_next_deadline(const struct sk_tcb *tcb);

#endif
