/* SPDX-License-Identifier: MIT */
/* Trace events for the engine's inner state (include/synack/trace.h CWND, RTT, TIMER); each
 * costs a test of the trace hook when none is set. */
#ifndef SK_TCP_TRACEPOINTS_H
#define SK_TCP_TRACEPOINTS_H

#include "tcp/engine.h"

/* Starts every trace event: false (nothing to do) without a trace hook; else ev is zeroed
 * with its kind, the engine's time and the endpoints (either may be NULL: zero). */
bool sk_trace_begin(const struct sk_engine *eng, enum synack_trace_kind kind,
                    const struct synack_endpoint *local, const struct synack_endpoint *remote,
                    struct synack_trace_event *ev);
/* Hands a begun event to the hook. */
void sk_trace_emit(const struct sk_engine *eng, const struct synack_trace_event *ev);

/* The congestion window and ssthresh now (call when either changed). */
void sk_trace_cwnd(struct sk_engine *eng, const struct sk_tcb *tcb);
/* A round-trip sample just taken into tcb->rtt. */
void sk_trace_rtt(struct sk_engine *eng, const struct sk_tcb *tcb, synack_time_t sample);
/* A timer fired (enum synack_trace_timer). */
void sk_trace_timer(struct sk_engine *eng, const struct sk_tcb *tcb, int which, unsigned backoff);
/* A timer that was not running was armed to fire at `at` (SYNACK_TRACE_TIMER_SET). */
void sk_trace_timer_set(struct sk_engine *eng, const struct sk_tcb *tcb, int which,
                        synack_time_t at);

#endif
