/* SPDX-License-Identifier: MIT */
/* Sender-side SACK scoreboard and loss recovery (RFC 6675): the ranges above SND.UNA the
 * peer reports holding, which holes count as lost, the pipe estimate, and what to send
 * next during recovery. Ranges are offsets from SND.UNA, bounded like reassembly's. */
#ifndef SK_TCP_SACK_H
#define SK_TCP_SACK_H

#include "tcp/engine.h"

/* Records the SACK blocks of an arriving ACK (after SND.UNA moved). Blocks below SND.UNA
 * (D-SACK) or beyond what was sent are ignored. Returns true if octets not SACKed before
 * are SACKed now. */
bool sk_sack_take(struct sk_engine *eng, struct sk_tcb *tcb, const struct sk_tcp_options *o);

/* SND.UNA moved forward by n bytes: drop what it covers, shift the rest. */
void sk_sack_advance(struct sk_tcb *tcb, uint32_t n);

/* Forgets the scoreboard (after an RTO, RFC 2018 section 8: the peer may have reneged). */
void sk_sack_clear(struct sk_tcb *tcb);

/* RFC 6675 IsLost(SND.UNA): more than 2 SMSS, or 3 separate ranges, SACKed above it. */
bool sk_sack_head_lost(const struct sk_tcb *tcb);

/* RFC 6675 pipe: the bytes presumed in flight (neither SACKed nor lost, plus what was
 * retransmitted). */
uint32_t sk_sack_pipe(const struct sk_tcb *tcb);

/* Bytes SACKed above SND.UNA. */
uint32_t sk_sack_bytes(const struct sk_tcb *tcb);

/* The end of the highest SACKed range, as an offset from SND.UNA (0: none). */
uint32_t sk_sack_highest(const struct sk_tcb *tcb);

/* Bytes SACKed in [SND.UNA, end). */
uint32_t sk_sack_bytes_below(const struct sk_tcb *tcb, uint32_t end);

/* Bytes in holes that RFC 6675 IsLost counts as lost. */
uint32_t sk_sack_lost_bytes(const struct sk_tcb *tcb);

/* RFC 6675 section 5, steps (A)-(C): called on every ACK while SACK recovery runs (and to
 * start it): sends retransmissions of lost holes, then new data, while cwnd - pipe
 * allows a full segment. */
void sk_sack_send(struct sk_engine *eng, struct sk_tcb *tcb);

#endif
