/* SPDX-License-Identifier: MIT */
/* Congestion control. Loss recovery is common to every algorithm: fast retransmit and
 * NewReno fast recovery (RFC 5681, RFC 6582) without SACK, RFC 6675 recovery with it, the
 * amount sent in the latter set by Proportional Rate Reduction (RFC 6937, as Linux). An
 * algorithm (struct sk_cc_algo: CUBIC, RFC 9438, the default as in Linux; NewReno) decides
 * how the window grows and what ssthresh a loss leaves, as Linux's tcp_congestion_ops. */
#ifndef SK_TCP_CC_H
#define SK_TCP_CC_H

#include "tcp/engine.h"

struct sk_cc_algo {
    const char *name;
    /* A new connection, or the algorithm changed (TCP_CONGESTION). */
    void (*init)(struct sk_tcb *tcb);
    /* An ACK acknowledged `acked` new bytes outside recovery: slow start or congestion
     * avoidance (Linux cong_avoid). */
    void (*grow)(const struct sk_engine *eng, struct sk_tcb *tcb, uint32_t acked);
    /* A loss was detected (timeout or recovery): returns the new ssthresh (Linux ssthresh). */
    uint32_t (*on_loss)(const struct sk_engine *eng, struct sk_tcb *tcb);
};

extern const struct sk_cc_algo sk_cc_newreno, sk_cc_cubic;

/* The algorithm of a connection. */
const struct sk_cc_algo *sk_cc_of(const struct sk_tcb *tcb);

/* RFC 5681 3.1 slow start, shared by the algorithms: as Linux (tcp_slow_start), cwnd grows
 * by all that was acknowledged (RFC 3465 appropriate byte counting with no limit L), up to
 * ssthresh; returns what is left of `acked` past ssthresh for congestion avoidance. */
uint32_t sk_cc_slow_start(struct sk_tcb *tcb, uint32_t acked);

/* After sending (Linux tcp_cwnd_validate, in the spirit of RFC 7661): remembers, per window
 * of data, whether the flight filled the congestion window and the largest flight. */
void sk_cc_validate(struct sk_tcb *tcb, bool cwnd_limited);

/* RFC 6928 / RFC 5681 3.1: initial window and an "arbitrarily high" ssthresh. */
void sk_cc_init(struct sk_engine *eng, struct sk_tcb *tcb);

/* Switches a connection to another algorithm (TCP_CONGESTION): its state starts afresh. */
void sk_cc_set(struct sk_tcb *tcb, enum synack_congestion algo);

/* An ACK acknowledged `acked` new bytes (SND.UNA already advanced). May retransmit on a
 * partial ACK during recovery. */
void sk_cc_on_ack(struct sk_engine *eng, struct sk_tcb *tcb, uint32_t acked);

/* A duplicate ACK (RFC 5681 section 2 definition). May start fast retransmit. */
void sk_cc_on_dupack(struct sk_engine *eng, struct sk_tcb *tcb);

/* After the scoreboard took an ACK's SACK blocks (SACK agreed): enters RFC 6675 loss
 * recovery on the third duplicate ACK or when SND.UNA counts as lost, and sends what PRR
 * allows while in it. `delivered`: bytes this ACK newly acknowledged or SACKed (RFC 6937
 * DeliveredData); ssrb: the ACK moved SND.UNA and marked nothing newly lost (PRR may then
 * send one segment beyond what was delivered). */
void sk_cc_on_sack(struct sk_engine *eng, struct sk_tcb *tcb, uint32_t delivered, bool ssrb);

/* The peer reported [start, end) twice (an RFC 2883 D-SACK block). If every retransmission
 * since the last reduction turns out so, none was needed: the reduction is undone (Linux
 * tcp_try_undo_dsack / tcp_undo_cwnd_reduction). */
void sk_cc_on_dsack(struct sk_engine *eng, struct sk_tcb *tcb, uint32_t start, uint32_t end);

/* A segment [seq, seq + len) was retransmitted (output.c): counted for the undo. */
void sk_cc_on_retransmit(struct sk_tcb *tcb, uint32_t seq, uint32_t len);

/* An ACK echoed congestion (ECE, RFC 3168 6.1.2): the window is reduced as for a loss, once
 * per window of data, and CWR goes on the next new data. */
void sk_cc_on_ece(struct sk_engine *eng, struct sk_tcb *tcb);

/* The retransmission timer expired (RFC 5681 3.1 equation 4 and the loss window); starts
 * or continues a loss episode (tcb->in_loss), judged by F-RTO (RFC 5682) when configured. */
void sk_cc_on_timeout(struct sk_engine *eng, struct sk_tcb *tcb);

/* What an ACK during a loss episode showed (recv_ack.c). */
struct sk_loss_ack {
    bool advanced;       /* it moved SND.UNA */
    bool echo_older;     /* its TSecr is older than the episode's first retransmission */
    bool original_acked; /* it acknowledged or SACKed data below recover never sent again */
    bool duplicate;      /* a duplicate ACK, or one SACKing new data */
};

/* An ACK during a loss episode, after the ACK and its SACK blocks were taken: undoes a
 * spurious timeout, or takes F-RTO's next step (RFC 5682 3.1), which may send new data. */
void sk_cc_loss_ack(struct sk_engine *eng, struct sk_tcb *tcb, const struct sk_loss_ack *a);

#endif
