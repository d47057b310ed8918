/* SPDX-License-Identifier: MIT */
/* Segment output: building segments for a connection and sending them through the link. */
#ifndef SK_TCP_OUTPUT_H
#define SK_TCP_OUTPUT_H

#include "tcp/engine.h"
#include "tcp/seq.h"

/* Sends everything the connection may send now: SYN or SYN-ACK if due, data allowed by the
 * peer's window, the congestion window and Nagle, FIN after the data, and an ACK if one is
 * owed and nothing else carried it. Arms the retransmission / persist timers as needed. */
void sk_tcp_output(struct sk_engine *eng, struct sk_tcb *tcb);

/* Sends one segment <SEQ=seq><ACK=RCV.NXT> with flags, carrying len bytes of the send
 * buffer from sequence seq (data only if len > 0). SYN segments carry our options. */
void sk_tcp_send(struct sk_engine *eng, struct sk_tcb *tcb, uint32_t seq, uint8_t flags,
                 uint32_t len);

/* The SEQ of a segment without data: snd_max (SND.NXT unless retransmitting), or the right
 * edge of the peer's window if snd_max lies beyond it. */
uint32_t sk_tcp_acceptable_seq(const struct sk_tcb *tcb);

/* <SEQ=sk_tcp_acceptable_seq><ACK=RCV.NXT><CTL=ACK>, now. */
void sk_tcp_send_ack(struct sk_engine *eng, struct sk_tcb *tcb);

/* <SEQ=snd_max><CTL=RST,ACK> for an abort (RFC 9293 3.10.5). */
void sk_tcp_send_abort_rst(struct sk_engine *eng, struct sk_tcb *tcb);

/* The reset that answers seg when no connection takes it (RFC 9293 3.10.7.1): if seg has
 * ACK, <SEQ=SEG.ACK><CTL=RST>; else <SEQ=0><ACK=SEG.SEQ+SEG.LEN><CTL=RST,ACK>. Never answers
 * a RST. */
void sk_tcp_send_reset_for(struct sk_engine *eng, const struct sk_segment *seg);

/* Sends a segment without data built by the caller (for connections without a control
 * block: TIME-WAIT records). */
void sk_tcp_send_header(struct sk_engine *eng, const struct synack_endpoint *local,
                        const struct synack_endpoint *remote, const struct sk_tcp_header *h);

/* The window we offer now (bytes, before scaling), never moving the right edge left. */
uint32_t sk_tcp_rcv_window(const struct sk_engine *eng, const struct sk_tcb *tcb);

/* The sender SWS override (RFC 9293 3.8.6.2.1): sends one segment of what the windows
 * allow even if it is short, then whatever follows normally. False if nothing could go. */
bool sk_tcp_send_forced(struct sk_engine *eng, struct sk_tcb *tcb);

/* Sends one new segment at snd_max (at most an MSS, what is unsent and what the peer's
 * window allows), as RFC 6675 NextSeg rule 2 and RFC 8985 7.3 want; false if none can go. */
bool sk_tcp_send_new(struct sk_engine *eng, struct sk_tcb *tcb);

/* F-RTO (RFC 5682 3.1 step 2.b): up to `most` segments of new data at SND.MAX while SND.NXT
 * is behind it after a timeout, within the congestion window (counting only the repeats in
 * flight) and the peer's. Returns whether any went. */
bool sk_tcp_send_new_ahead(struct sk_engine *eng, struct sk_tcb *tcb, unsigned most);

/* The end of the first MSG_EOR record that ends after seq; false if none. A segment never
 * crosses it (Linux: a record is an skb of its own that nothing is appended to). */
bool sk_tcp_eor_after(const struct sk_tcb *tcb, uint32_t seq, uint32_t *end);

/* Forgets the MSG_EOR records the peer acknowledged (all below snd_buf_seq). */
void sk_tcp_eor_acked(struct sk_tcb *tcb);

/* Does a segment ending at end carry PSH because a write or a record ends there (Linux
 * tcp_mark_push on the skb tail, which tso_fragment / tcp_fragment keep on the tail)? */
bool sk_tcp_ends_push(const struct sk_tcb *tcb, uint32_t end);

/* The sequence number after the last byte in the send buffer (where our FIN goes). */
static inline uint32_t sk_tcp_data_end(const struct sk_tcb *tcb)
{
    return tcb->snd_buf_seq + tcb->sndbuf.len;
}

/* Our FIN went out / was acknowledged. */
static inline bool sk_tcp_fin_sent(const struct sk_tcb *tcb)
{
    return tcb->fin_queued && tcb->snd_max == sk_tcp_data_end(tcb) + 1;
}
static inline bool sk_tcp_fin_acked(const struct sk_tcb *tcb)
{
    return tcb->fin_queued && tcb->snd_una == sk_tcp_data_end(tcb) + 1;
}

/* Where text may go past RCV.NXT: the window we offered, never more than the free space of
 * the receive buffer (which the offered window never exceeds). */
static inline uint32_t sk_tcp_rcv_room(const struct sk_tcb *tcb)
{
    uint32_t wnd = seq_gt(tcb->rcv_adv, tcb->rcv_nxt) ? tcb->rcv_adv - tcb->rcv_nxt : 0;
    uint32_t free_space = tcb->rcvbuf.cap - tcb->rcvbuf.len;
    return wnd < free_space ? wnd : free_space;
}

/* The window we last offered: RCV.WND (RFC 9293 3.3.1), 0 if the edge is behind RCV.NXT. */
static inline uint32_t sk_tcp_offered_window(const struct sk_tcb *tcb)
{
    return seq_gt(tcb->rcv_adv, tcb->rcv_nxt) ? tcb->rcv_adv - tcb->rcv_nxt : 0;
}

/* Drops n acknowledged bytes from the head of the send buffer (the ring, or the zero-copy
 * extents: zero-copy sends wholly acknowledged are completed). */
void sk_tcp_sndbuf_consume(struct sk_engine *eng, struct sk_tcb *tcb, uint32_t n);

/* The TSval our segments carry now (RFC 7323 5.4: a 1 ms clock, offset per connection). */
static inline uint32_t sk_tcp_ts_now(const struct sk_engine *eng, const struct sk_tcb *tcb)
{
    return (uint32_t)(eng->now / 1000000u) + tcb->ts_offset;
}

/* Bytes sent and not yet acknowledged, counting SYN and FIN. */
static inline uint32_t sk_tcp_in_flight(const struct sk_tcb *tcb)
{
    return tcb->snd_nxt - tcb->snd_una;
}

#endif
