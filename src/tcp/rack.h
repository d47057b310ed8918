/* SPDX-License-Identifier: MIT */
/* RACK (RFC 8985 section 6, as Linux's tcp_recovery=1): time-based loss detection. A segment
 * is lost once a segment sent after it was delivered and a reordering window has passed
 * since: RACK.rtt + RACK.reo_wnd after it was sent. The sender keeps when each stretch of
 * new data left (a small ring per connection with SACK, taken from the engine's memory
 * when it first sends and given back when it closes) and when the latest retransmission
 * left; the lost bytes are all unSACKed bytes below an edge, which the SACK scoreboard
 * (sack.c) takes with RFC 6675's own. */
#ifndef SK_TCP_RACK_H
#define SK_TCP_RACK_H

#include "tcp/engine.h"

#define SK_RACK_LOG 32

struct sk_rack_log {
    /* RACK.xmit_ts, RACK.end_seq, RACK.rtt (RFC 8985 6.1), the latest retransmission's time
     * and the loss edge: all unSACKed bytes below it are lost. */
    uint32_t xmit_us, end, rtt_us, rxt_us, lost;
    bool valid, rxt_valid, reord_seen;
    unsigned head, count;
    struct {
        uint32_t end;  /* sequence number after the stretch */
        uint32_t t_us; /* when it left (the stack clock in microseconds, 32 bits) */
    } r[SK_RACK_LOG];
};

/* Data [seq, seq+len) is being sent: new data extends the log; a repeat sets the time of
 * the latest retransmission. */
void sk_rack_sent(struct sk_engine *eng, struct sk_tcb *tcb, uint32_t seq, uint32_t len);

/* After an ACK moved SND.UNA from una_before and/or SACKed new bytes up to sack_high (0:
 * none): RFC 8985 6.2 steps 1-3 (RACK.xmit_ts, RACK.end_seq, RACK.rtt, the reordering
 * window), then step 4 (detect losses, arm the reordering timer). */
void sk_rack_on_ack(struct sk_engine *eng, struct sk_tcb *tcb, uint32_t una_before,
                    uint32_t sack_high, bool had_sacks);

/* The peer reordered (sack.c saw it): keep a reordering window from now on. */
void sk_rack_note_reordering(struct sk_tcb *tcb);

/* The reordering timer fired (RFC 8985 6.3): detect again; returns true if more is lost. */
bool sk_rack_timeout(struct sk_engine *eng, struct sk_tcb *tcb);

/* The offset from SND.UNA below which unSACKed bytes are lost by RACK (0: none). */
uint32_t sk_rack_lost_offset(const struct sk_tcb *tcb);

/* A timeout: everything goes again from SND.UNA, nothing is marked lost by time. */
void sk_rack_reset(struct sk_tcb *tcb);

/* Gives the log back (the connection closes). */
void sk_rack_free(struct sk_engine *eng, struct sk_tcb *tcb);

#endif
