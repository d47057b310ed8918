/* SPDX-License-Identifier: MIT */
/* The transmission control block (RFC 9293 3.3.1): everything the engine knows about one
 * connection or listener. */
#ifndef SK_TCP_TCB_H
#define SK_TCP_TCB_H

#include <stdbool.h>
#include <stdint.h>
#include "synack/types.h"
#include "tcp/reasm.h"
#include "tcp/ring.h"
#include "tcp/rtt.h"

struct sk_port_entry;

struct sk_tcb {
    enum synack_tcp_state state;
    struct synack_endpoint local, remote;

    /* Send sequence variables (RFC 9293 3.3.1). snd_max is the highest SND.NXT ever sent:
     * after a timeout SND.NXT goes back to SND.UNA while snd_max remembers what was sent. */
    uint32_t iss, snd_una, snd_nxt, snd_max, snd_wnd, snd_wl1, snd_wl2;
    uint32_t max_snd_wnd; /* largest window the peer offered (RFC 1122 4.2.3.4) */
    uint32_t snd_sml;     /* end of the last short segment sent (Minshall / Linux) */
    /* Receive sequence variables. rcv_adv is the right edge we last advertised. */
    uint32_t irs, rcv_nxt, rcv_adv;
    uint8_t snd_wscale, rcv_wscale; /* RFC 7323: shifts, 0 unless both sides sent WS */
    bool wscale_ok;
    bool ts_ok;             /* RFC 7323: both SYNs carried timestamps */
    bool sack_ok;           /* RFC 2018: both SYNs carried SACK-permitted */
    bool tfo;               /* RFC 7413: this SYN asks for or carries a Fast Open cookie */
    bool tfo_deferred;      /* TCP_FASTOPEN_CONNECT: the SYN waits for the first send */
    bool tfo_connect;       /* the application set TCP_FASTOPEN_CONNECT */
    uint32_t ts_recent;     /* TS.Recent: the peer's timestamp to echo */
    uint32_t ts_offset;     /* per-connection offset of our TSval clock (Linux tsoffset) */
    uint32_t last_ack_sent; /* Last.ACK.sent (RFC 7323 4.3) */
    uint32_t ooo_latest;    /* sequence number of the latest out-of-order arrival (SACK) */
    uint16_t snd_mss;       /* effective MSS for what we send */
    uint16_t our_mss;       /* MSS we announce */
    uint16_t peer_mss;      /* MSS the peer announced (or the default) */

    /* Buffers. sndbuf holds data from sequence number snd_buf_seq on (unacknowledged and
     * unsent); rcvbuf holds readable data, then out-of-order data past it. */
    struct sk_ring sndbuf, rcvbuf;
    uint32_t snd_buf_seq;
    struct sk_reasm reasm;
    struct sk_reasm sacked; /* RFC 6675 scoreboard: SACKed ranges above SND.UNA */
    bool has_buffers;       /* buffers set up (connect, listen's child); their memory comes
                               and goes with the data */
    uint32_t high_rxt;      /* RFC 6675 HighRxt */
    bool sack_recovery;     /* loss recovery driven by the scoreboard */
    bool fin_queued;        /* the application is done sending: FIN follows the data */
    bool fin_received;      /* the peer's FIN was taken in sequence */
    bool ooo_fin;           /* an out-of-order FIN is held at ooo_fin_off past RCV.NXT */
    uint32_t ooo_fin_off;
    bool shut_rd; /* shutdown(SHUT_RD): discard what arrives */
    bool nodelay;
    bool ack_now; /* an ACK is owed: sent by the next output */

    /* Timers: absolute deadlines, SYNACK_TIME_NEVER when off. */
    synack_time_t rto_at;               /* retransmission (also SYN / SYN-ACK) */
    synack_time_t persist_at;           /* zero-window probe */
    synack_time_t close_at;             /* TIME-WAIT end, or orphaned FIN-WAIT-2 limit */
    synack_time_t tlp_at;               /* tail loss probe (RFC 8985 7) */
    synack_time_t delack_at;            /* delayed ACK due */
    synack_time_t ka_at;                /* keepalive probe due (RFC 1122 4.2.3.6) */
    synack_time_t ka_idle, ka_interval; /* per socket, from the config */
    unsigned ka_probes, ka_max;         /* probes sent unanswered, and the limit */
    bool keepalive;
    unsigned quickacks;    /* segments still ACKed at once (quick-ACK mode) */
    uint32_t rcv_mss;      /* largest segment received: what full-sized means */
    bool tlp_out;          /* a probe is out, unacknowledged */
    uint32_t last_new_seq; /* first sequence number of the last new segment */
    struct sk_rtt rtt;
    unsigned backoff;          /* consecutive RTO expirations (retries) */
    synack_time_t last_ack_at; /* when the peer last sent an acceptable ACK */
    unsigned persist_backoff;  /* zero-window probe interval doublings */
    unsigned persist_probes;   /* probes sent since the peer last answered */
    bool syn_retransmitted;    /* RFC 6298 5.7 */
    bool rtt_timing;           /* a segment is being timed (Karn's rule) */
    uint32_t rtt_seq;
    synack_time_t rtt_start;
    synack_time_t last_oow_answer; /* last rate-limited answer (answer.c) */
    bool oow_answered;
    /* TCP_USER_TIMEOUT (RFC 5482): the limit (0: off), when the data being retransmitted
     * was sent (Linux retrans_stamp) and the first zero-window probe of this stall (Linux
     * icsk_probes_tstamp). timers.c. */
    synack_time_t user_timeout, rexmit_stamp, probe_stamp;
    bool probe_stamped;

    /* Congestion control (RFC 5681, NewReno RFC 6582). */
    uint32_t cwnd, ssthresh;
    unsigned dupacks;
    bool in_recovery;
    uint32_t recover;

    /* Socket side. */
    int fd;         /* descriptor, or -1 once closed by the application */
    int error;      /* pending error (SO_ERROR; recv/send report it once); 0 if none */
    int soft_error; /* last ICMP soft error (RFC 1122 4.2.3.9), reported on timeout */
    bool passive;   /* created by a listener */
    bool reuseaddr;
    uint32_t sndbuf_size, rcvbuf_size;

    /* Listener state (state == LISTEN) and the child's link to it. */
    struct sk_tcb *listener;                /* our listener while in its queues */
    struct sk_tcb *queue_next, *queue_prev; /* in the listener's SYN or accept queue */
    struct sk_tcb *accept_head, *accept_tail, *syn_head;
    unsigned accept_len, syn_len, backlog;
    synack_time_t cookie_at; /* a listener's last SYN cookie (syncookie.c) */
    bool cookie_sent;
    bool in_accept_queue;

    /* Stack bookkeeping. */
    struct sk_tcb *touch_next;          /* stack/sched.h: touched in this call */
    struct sk_tcb *out_next, *out_prev; /* stack/sched.h: output queued by socket calls */
    unsigned heap_pos;                  /* 1 + index in the timer heap, 0 if not in it */
    bool touched, out_marked;
    uint8_t port_hold; /* stack/ports.h: how it holds its local port */
    struct sk_port_entry *port_entry;
    struct sk_tcb *hash_next;
    struct sk_tcb *all_next, *all_prev;
    bool hashed;
    bool counted;     /* counts against max_connections (the stack's) */
    bool dead;        /* freed at the end of the current stack call */
    bool rst_pending; /* aborted by the application: the next poll sends RST, then frees */

    /* Statistics. */
    uint64_t retransmissions, timeouts, bytes_sent, bytes_acked, bytes_received;
    uint64_t segments_in, segments_out;
};

#endif
