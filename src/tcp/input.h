/* SPDX-License-Identifier: MIT */
/* Segment arrival (RFC 9293 3.10.7): the stack found the connection or listener a segment
 * belongs to (or none) and hands it here. */
#ifndef SK_TCP_INPUT_H
#define SK_TCP_INPUT_H

#include "tcp/engine.h"

/* Processes seg for tcb in whatever state it is; replies are sent before returning. */
void sk_tcp_input(struct sk_engine *eng, struct sk_tcb *tcb, const struct sk_segment *seg);

/* 3.10.7.1, CLOSED: no connection matched: answer with a reset (never to a reset). */
void sk_tcp_input_closed(struct sk_engine *eng, const struct sk_segment *seg);

/* Initializes the receive side of a new connection from the peer's SYN and takes its
 * options (MSS RFC 9293 3.7.1, window scale RFC 7323 2). */
void sk_tcp_take_syn(struct sk_engine *eng, struct sk_tcb *tcb, const struct sk_segment *seg);

/* RFC 2883 (Linux tcp_dsack_set, tcp_dsack = 1): [start, end) arrived twice; the next ACK
 * reports it as its first SACK block. Only with SACK agreed. Defined in recv_data.c. */
void sk_tcp_note_dsack(struct sk_tcb *tcb, uint32_t start, uint32_t end);

#define SK_TCP_ATO_MIN_US 40000u /* Linux TCP_ATO_MIN: the least delayed-ACK estimate */

/* The stack clock in microseconds, 32 bits (the delayed-ACK estimator's). */
static inline uint32_t sk_tcp_now_us(const struct sk_engine *eng)
{
    return (uint32_t)(eng->now / 1000u);
}

/* Quick-ACK mode (Linux tcp_enter_quickack_mode): the next segments of data are ACKed at
 * once, interactive mode ends. Defined in recv_data.c. */
void sk_tcp_enter_quickack(struct sk_tcb *tcb);

/* Seventh and eighth steps of 3.10.7.4: segment text and FIN, already trimmed to the
 * window. Defined in recv_data.c. */
void sk_tcp_take_text(struct sk_engine *eng, struct sk_tcb *tcb, uint32_t seq, const uint8_t *data,
                      uint32_t len, bool fin);

/* Fifth step of 3.10.7.4 for states past SYN-RECEIVED. Returns false if the segment must be
 * dropped (an ACK was answered) or the connection ended. Defined in recv_ack.c. */
bool sk_tcp_take_ack(struct sk_engine *eng, struct sk_tcb *tcb, const struct sk_segment *seg,
                     uint32_t seq, uint32_t seglen);

/* Internal to the input files: per-state handlers. */
void sk_tcp_input_listen(struct sk_engine *eng, struct sk_tcb *tcb, const struct sk_segment *seg);
void sk_tcp_input_syn_sent(struct sk_engine *eng, struct sk_tcb *tcb, const struct sk_segment *seg);
void sk_tcp_input_synchronized(struct sk_engine *eng, struct sk_tcb *tcb,
                               const struct sk_segment *seg);
/* A segment acknowledged our SYN: RTT sample (unless retransmitted), timers and
 * congestion state for the data phase. */
void sk_tcp_syn_acked(struct sk_engine *eng, struct sk_tcb *tcb);

#endif
