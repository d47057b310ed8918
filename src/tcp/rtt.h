/* SPDX-License-Identifier: MIT */
/* Round-trip time estimation and the retransmission timeout (RFC 6298). */
#ifndef SK_TCP_RTT_H
#define SK_TCP_RTT_H

#include <stdbool.h>
#include "synack/types.h"

struct sk_rtt {
    synack_time_t srtt; /* 0 until the first sample */
    synack_time_t rttvar;
    synack_time_t rto; /* current base RTO, without backoff */
    synack_time_t min; /* smallest round trip seen (autotune.c): the path without queues */
    bool has_sample;
};

/* RFC 6298 2.1: before any measurement RTO is the initial value. */
void sk_rtt_init(struct sk_rtt *r, synack_time_t rto_initial);

/* RFC 6298 2.2 / 2.3: feeds one measurement; RTO = SRTT + max(G, 4 * RTTVAR) with alpha
 * 1/8 and beta 1/4, clamped to [rto_min, rto_max] (2.4, 2.5). G is 1 ns (our clock). */
void sk_rtt_sample(struct sk_rtt *r, synack_time_t sample, synack_time_t rto_min,
                   synack_time_t rto_max);

/* Lowers the smallest round trip seen to sample (sk_rtt_sample does it too). */
void sk_rtt_note_min(struct sk_rtt *r, synack_time_t sample);

/* RTO after `backoff` doublings (RFC 6298 5.5), capped at rto_max. */
synack_time_t sk_rtt_backoff(const struct sk_rtt *r, unsigned backoff, synack_time_t rto_max);

#endif
