/* SPDX-License-Identifier: MIT */
/* Every retransmission (RTO, fast retransmit, NewReno partial ACKs, RFC 6675 NextSeg rule 1,
 * the tail loss probe's repeat, a lost SYN-ACK) goes through sk_tcp_retransmit(): what was
 * sent is [SND.UNA, SND.MAX), the FIN last when it went out, and a retransmission takes from
 * that range only. New data leaves only through the output path, which moves SND.MAX, so
 * the two can never disagree: a peer never sees bytes that SND.MAX does not cover, and
 * never acknowledges what we think unsent. */
#include "tcp/rexmit.h"

#include "tcp/output.h"
#include "tcp/seq.h"

uint32_t sk_tcp_retransmit(struct sk_engine *eng, struct sk_tcb *tcb, uint32_t seq,
                           uint32_t max_len)
{
    uint32_t data_end = sk_tcp_data_end(tcb);
    bool fin_sent = sk_tcp_fin_sent(tcb);
    /* The last data byte ever sent: SND.MAX, less the FIN's sequence number if it went. */
    uint32_t sent_end = fin_sent ? data_end : tcb->snd_max;
    if (seq_lt(seq, tcb->snd_una) || seq_lt(seq, tcb->snd_buf_seq) || !seq_lt(seq, tcb->snd_max))
        return 0;
    uint32_t avail = seq_lt(seq, sent_end) ? sent_end - seq : 0;
    uint32_t len = avail < tcb->snd_mss ? avail : tcb->snd_mss;
    if (len > max_len) len = max_len;
    /* Never across the end of an MSG_EOR record (Linux tcp_retrans_try_collapse leaves
     * records apart). */
    uint32_t eor_end;
    if (len > 0 && tcb->eor_count > 0 && sk_tcp_eor_after(tcb, seq, &eor_end) &&
        len > eor_end - seq)
        len = eor_end - seq;
    bool fin = fin_sent && seq + len == data_end;
    if (len == 0 && !fin) return 0;
    /* PSH where a write or a record ends (Linux tcp_fragment keeps the skb's PSH on its
     * tail part only). */
    uint8_t flags = SYNACK_ACK | (fin ? SYNACK_FIN : 0) |
                    (len > 0 && sk_tcp_ends_push(tcb, seq + len) ? SYNACK_PSH : 0);
    tcb->rtt_timing = false; /* Karn's rule: no RTT sample across a retransmission */
    sk_tcp_send(eng, tcb, seq, flags, len);
    return len + (fin ? 1u : 0u);
}

void sk_tcp_retransmit_head(struct sk_engine *eng, struct sk_tcb *tcb)
{
    if (tcb->state == SYNACK_SYN_SENT || tcb->state == SYNACK_SYN_RECEIVED || !tcb->syn_acked) {
        /* RFC 9293 3.8.1: the SYN (or SYN-ACK) again, without data; also from FIN-WAIT-1
         * when the application closed before the SYN was acknowledged (3.10.4). */
        uint8_t flags = tcb->state == SYNACK_SYN_SENT ? SYNACK_SYN : SYNACK_SYN | SYNACK_ACK;
        bool repeat = eng->why == SYNACK_CAUSE_NONE; /* not a timeout: the peer's SYN again */
        if (repeat) sk_why(eng, SYNACK_CAUSE_SYN_REPEAT, 0);
        sk_tcp_send(eng, tcb, tcb->iss, flags, 0);
        if (repeat) sk_why(eng, SYNACK_CAUSE_NONE, 0);
        return;
    }
    uint32_t n = sk_tcp_retransmit(eng, tcb, tcb->snd_una, tcb->snd_mss);
    /* After a timeout SND.NXT went back to SND.UNA: it moves past what was resent. */
    if (n > 0 && seq_gt(tcb->snd_una + n, tcb->snd_nxt)) tcb->snd_nxt = tcb->snd_una + n;
}
