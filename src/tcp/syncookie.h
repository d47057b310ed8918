/* SPDX-License-Identifier: MIT */
/* SYN cookies (RFC 4987 3.6), as Linux's net/ipv4/syncookies.c: when a listener's SYN queue
 * is full (config syncookies 1, Linux's default) or always (2), the SYN-ACK's sequence
 * number encodes what the handshake needs and nothing is kept; the ACK that returns it
 * creates the connection if the cookie checks out (at most two minutes old, keyed by the
 * stack's secret). With timestamps, our TSval's low six bits carry window scale and SACK. */
#ifndef SK_TCP_SYNCOOKIE_H
#define SK_TCP_SYNCOOKIE_H

#include "tcp/engine.h"

/* A SYN the listener's queue has no room for: if cookies are on, answers it with a cookie
 * SYN-ACK (counted) and returns true; false if cookies are off. */
bool sk_tcp_cookie_synack(struct sk_engine *eng, struct sk_tcb *listener,
                          const struct sk_segment *seg);

/* A bare ACK to a listener: if it returns a valid recent cookie, creates the connection
 * (through the spawn hook, in the accept queue, data in the ACK taken) and returns true;
 * false if it is no cookie of ours (counted when a cookie was checked and failed). */
bool sk_tcp_cookie_ack(struct sk_engine *eng, struct sk_tcb *listener,
                       const struct sk_segment *seg);

/* Does seg carry a valid cookie of listener's (nothing is created)? */
bool sk_tcp_cookie_matches(const struct sk_engine *eng, const struct sk_tcb *listener,
                           const struct sk_segment *seg);

/* Should a SYN to this listener be answered with a cookie rather than queued? */
bool sk_tcp_cookie_wanted(const struct sk_engine *eng, const struct sk_tcb *listener);

/* The window scale we announce for a receive buffer of rcvbuf bytes that auto-tuning may
 * grow to rcvbuf_max (RFC 7323 2.3). */
uint8_t sk_tcp_wscale_for(const struct synack_config *cfg, uint32_t rcvbuf, uint32_t rcvbuf_max);

#endif
