/* SPDX-License-Identifier: MIT */
/* Answers to unacceptable segments, rate-limited so that two desynchronised peers can never
 * ping-pong ACKs (RFC 5961 section 7, RFC 9293 3.10.7.4; Linux tcp_oow_rate_limited and
 * tcp_send_challenge_ack). */
#ifndef SK_TCP_ANSWER_H
#define SK_TCP_ANSWER_H

#include "tcp/engine.h"

/* The ACK that answers seg, found unacceptable (out of the window, failing PAWS, or
 * acknowledging data never sent). A segment carrying data without SYN is always answered
 * (it cannot be part of an ACK loop, and a duplicate wants its ACK at once); any other at
 * most once per challenge_ack_interval per connection, else counted under skipped. */
void sk_tcp_answer_unacceptable(struct sk_engine *eng, struct sk_tcb *tcb,
                                const struct sk_segment *seg, enum synack_counter skipped);

/* RFC 5961 challenge ACK (3.2 RST, 4.2 SYN, 5.2 old ACK): at most one per
 * challenge_ack_interval per connection (sharing the clock above, as Linux) and, if
 * challenge_ack_limit is set, that many per second stack-wide. */
void sk_tcp_send_challenge_ack(struct sk_engine *eng, struct sk_tcb *tcb);

#endif
