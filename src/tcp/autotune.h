/* SPDX-License-Identifier: MIT */
/* Buffer auto-tuning, as Linux's. The receive buffer starts at rcvbuf and, while the
 * application reads faster than one buffer per round trip, grows toward rcvbuf_max
 * (tcp_rcv_space_adjust: dynamic right-sizing), so the window never limits a bulk transfer.
 * The send buffer starts at sndbuf and, while the application fills it and the congestion
 * window is not what limits sending, grows toward sndbuf_max to twice the congestion window
 * (tcp_sndbuf_expand). A buffer is a limit, not an allocation (ring.h): growing it takes no
 * memory by itself. SO_RCVBUF / SO_SNDBUF fix a socket's buffer (no tuning). */
#ifndef SK_TCP_AUTOTUNE_H
#define SK_TCP_AUTOTUNE_H

#include "tcp/engine.h"

/* In-sequence data of len bytes arrived; ts_ecr is the segment's TSecr (0: none). Updates
 * the receiver's round-trip estimate (Linux tcp_rcv_rtt_measure and _measure_ts). */
void sk_tcp_rcv_rtt_measure(struct sk_engine *eng, struct sk_tcb *tcb, uint32_t ts_ecr,
                            uint32_t len);

/* The application read: once per receiver round trip, let the buffer grow to twice what
 * was read in it (Linux tcp_rcv_space_adjust). */
void sk_tcp_rcv_space_adjust(struct sk_engine *eng, struct sk_tcb *tcb);

/* An ACK acknowledged new data: if the application found the send buffer full since the
 * last one, let the buffer grow (Linux tcp_check_space, tcp_should_expand_sndbuf). */
void sk_tcp_snd_space_expand(struct sk_engine *eng, struct sk_tcb *tcb);

#endif
