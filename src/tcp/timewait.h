/* SPDX-License-Identifier: MIT */
/* TIME-WAIT as a compact record (as Linux's tcp_timewait_sock): once a connection in
 * TIME-WAIT has no application and no unread data, all it needs is its endpoints, its
 * sequence numbers and the timestamp to echo, so its control block and buffers go and a
 * record of about 100 bytes answers for it until 2 MSL have passed. */
#ifndef SK_TCP_TIMEWAIT_H
#define SK_TCP_TIMEWAIT_H

#include "tcp/engine.h"

struct sk_tw {
    struct sk_tw *hash_next, *older, *newer; /* the stack's table and expiry order */
    struct synack_endpoint local, remote;
    synack_time_t expires;     /* end of TIME-WAIT */
    synack_time_t last_answer; /* the last rate-limited answer */
    uint32_t snd_nxt, rcv_nxt; /* our next sequence number (past our FIN), and the peer's */
    uint32_t ts_recent, ts_offset;
    uint16_t window; /* window field of our ACKs (scaled) */
    bool ts_ok, answered;
    uint8_t port_hold; /* how the local port is held (stack/ports.h) */
    struct sk_port_entry *port_entry;
};

/* Fills tw from tcb (in TIME-WAIT). The stack places it and frees tcb. */
void sk_tw_init(struct sk_engine *eng, struct sk_tw *tw, const struct sk_tcb *tcb);

enum sk_tw_verdict {
    SK_TW_KEEP, /* the record stays (it may have answered, and its expiry may have moved) */
    SK_TW_KILL, /* a RST at RCV.NXT ends it (unless config rfc1337, as Linux's sysctl) */
    SK_TW_SYN,  /* a new SYN may open a new connection: the record goes, the SYN goes on */
};

/* A segment for the record (RFC 9293 3.10.7.4 in TIME-WAIT, as Linux's
 * tcp_timewait_state_process). */
enum sk_tw_verdict sk_tw_input(struct sk_engine *eng, struct sk_tw *tw,
                               const struct sk_segment *seg);

/* The record ends (expiry, RST or reuse): traced as TIME-WAIT -> CLOSED. */
void sk_tw_closed(struct sk_engine *eng, const struct sk_tw *tw);

#endif
