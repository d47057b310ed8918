/* SPDX-License-Identifier: MIT */
/* Path MTU discovery (RFC 1191 section 6.3 for TCP, as Linux tcp_v4_mtu_reduced): an ICMP
 * "fragmentation needed" for a segment in flight lowers the connection's segment size. */
#ifndef SK_TCP_PMTU_H
#define SK_TCP_PMTU_H

#include "tcp/engine.h"

/* The least path MTU believed (Linux net.ipv4.route.min_pmtu): a smaller report, possibly
 * forged to make us send tiny segments, is raised to it (RFC 5927 section 7). */
#define SK_PMTU_MIN 552u

/* A router reported that mtu is the most the path carries. If that is below the path MTU in
 * use, the MSS drops to fit (never below the peer's limit's effect), a SYN not yet
 * answered will announce the smaller MSS, and what was sent in larger segments is sent
 * again at once in the new size, without a congestion response: the segments were dropped
 * for their size, not for congestion (Linux tcp_simple_retransmit). Returns true if the MSS
 * changed. */
bool sk_tcp_mtu_reduced(struct sk_engine *eng, struct sk_tcb *tcb, uint32_t mtu);

#endif
