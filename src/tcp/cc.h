/* SPDX-License-Identifier: MIT */
/* Congestion control: slow start and congestion avoidance (RFC 5681), fast retransmit and
 * NewReno fast recovery (RFC 6582). */
#ifndef SK_TCP_CC_H
#define SK_TCP_CC_H

#include "tcp/engine.h"

/* RFC 6928 / RFC 5681 3.1: initial window and an "arbitrarily high" ssthresh. */
void sk_cc_init(struct sk_engine *eng, struct sk_tcb *tcb);

/* An ACK acknowledged `acked` new bytes (SND.UNA already advanced). May retransmit on a
 * partial ACK during recovery. */
void sk_cc_on_ack(struct sk_engine *eng, struct sk_tcb *tcb, uint32_t acked);

/* A duplicate ACK (RFC 5681 section 2 definition). May start fast retransmit. */
void sk_cc_on_dupack(struct sk_engine *eng, struct sk_tcb *tcb);

/* After the scoreboard took an ACK's SACK blocks (SACK agreed): enters RFC 6675 loss
 * recovery on the third duplicate ACK or when SND.UNA counts as lost, and sends what the
 * pipe allows while in it. */
void sk_cc_on_sack(struct sk_engine *eng, struct sk_tcb *tcb);

/* The retransmission timer expired (RFC 5681 3.1 equation 4 and the loss window). */
void sk_cc_on_timeout(struct sk_engine *eng, struct sk_tcb *tcb);

#endif
