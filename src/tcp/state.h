/* SPDX-License-Identifier: MIT */
/* State transitions: every change goes through here so it is traced exactly once. */
#ifndef SK_TCP_STATE_H
#define SK_TCP_STATE_H

#include "tcp/engine.h"

/* Moves tcb to state `to` and emits a trace event. Entering TIME-WAIT starts the 2*MSL
 * timer and stops the others (RFC 9293 3.10.7.4). */
void sk_tcp_set_state(struct sk_engine *eng, struct sk_tcb *tcb, enum synack_tcp_state to);

/* Emits the trace event of a state change of local<->remote (nothing without a hook); for
 * connections that are no control block (a TIME-WAIT record). */
void sk_tcp_trace_state(struct sk_engine *eng, const struct synack_endpoint *local,
                        const struct synack_endpoint *remote, enum synack_tcp_state from,
                        enum synack_tcp_state to);

/* Ends the connection: stops timers, records err (0 for a normal end; -ECONNRESET,
 * -ECONNREFUSED, -ETIMEDOUT) for recv/send and SO_ERROR, enters CLOSED and tells the
 * stack (which unhashes the connection and frees it once nobody holds it). */
void sk_tcp_close_with(struct sk_engine *eng, struct sk_tcb *tcb, int err);

#endif
