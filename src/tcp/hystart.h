/* SPDX-License-Identifier: MIT */
/* HyStart++ (RFC 9406): leaves slow start before the first loss when the round trip starts
 * to grow (a queue building at the bottleneck), through a conservative slow start that can
 * still turn back. Used by CUBIC, as Linux uses its HyStart with CUBIC. The RTT samples come
 * from the timestamps every ACK echoes (RFC 7323); without timestamps there are too few
 * (one a round trip) and slow start ends at the first loss as before. */
#ifndef SK_TCP_HYSTART_H
#define SK_TCP_HYSTART_H

#include "tcp/engine.h"

/* Starts afresh: a new connection, or after a loss (the next slow start begins anew). */
void sk_hystart_reset(struct sk_tcb *tcb);

/* An ACK of new data in slow start, before it is processed: ends the round if it
 * acknowledges the round's last byte, and counts its RTT sample (microseconds; UINT32_MAX
 * for none). */
void sk_hystart_ack(struct sk_tcb *tcb, uint32_t ack, uint32_t rtt_us);

/* Slow start for an ACK of `acked` bytes (cwnd < ssthresh): RFC 9406 section 4.2 and 4.3
 * growth, rounds and exits. Returns what is left of acked for congestion avoidance. */
uint32_t sk_hystart_slow_start(struct sk_tcb *tcb, uint32_t acked);

#endif
