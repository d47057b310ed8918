/* SPDX-License-Identifier: MIT */
/* Retransmission: the one place that decides what a repeated segment carries. */
#ifndef SK_TCP_REXMIT_H
#define SK_TCP_REXMIT_H

#include "tcp/engine.h"

/* Sends again sequence space that was sent before, from seq (SND.UNA <= seq < SND.MAX): at
 * most max_len and one MSS of data, never a byte at or beyond SND.MAX, with the FIN if it
 * was sent and the segment reaches it. Returns the sequence space sent (FIN counted), 0 if
 * nothing at seq was ever sent. */
uint32_t sk_tcp_retransmit(struct sk_engine *eng, struct sk_tcb *tcb, uint32_t seq,
                           uint32_t max_len);

/* Retransmits the first unacknowledged segment (SYN / SYN-ACK, or data and FIN from SND.UNA)
 * (RFC 6298 5.4, RFC 5681 3.2 step 2, RFC 6582 3.2 step 4). */
void sk_tcp_retransmit_head(struct sk_engine *eng, struct sk_tcb *tcb);

#endif
