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
struct sk_listen;

/* Members are grouped by size (8, 4, 2, then 1-bit flags) so the block has no padding to
 * speak of: it is the whole fixed cost of a connection (issue 8). */
struct sk_rack_log;
struct sk_zc;

struct sk_tcb {
    /* Timers: absolute deadlines, SYNACK_TIME_NEVER when off. */
    synack_time_t rto_at;          /* retransmission (also SYN / SYN-ACK) */
    synack_time_t persist_at;      /* zero-window probe, or the SWS override */
    synack_time_t close_at;        /* TIME-WAIT end, or orphaned FIN-WAIT-2 limit */
    synack_time_t tlp_at;          /* tail loss probe (RFC 8985 7) */
    synack_time_t delack_at;       /* delayed ACK due */
    synack_time_t ka_at;           /* keepalive probe due (RFC 1122 4.2.3.6) */
    synack_time_t last_ack_at;     /* when the peer last sent an acceptable ACK */
    synack_time_t rtt_start;       /* when the timed segment left (Karn's rule) */
    synack_time_t last_oow_answer; /* last rate-limited answer (answer.c) */
    /* TCP_USER_TIMEOUT (RFC 5482): when the data being retransmitted was sent (Linux
     * retrans_stamp) and the first zero-window probe of this stall (Linux
     * icsk_probes_tstamp); the limit is user_timeout_ms below. timers.c. */
    synack_time_t rexmit_stamp, probe_stamp;

    /* Buffers. sndbuf holds data from sequence number snd_buf_seq on (unacknowledged and
     * unsent); rcvbuf holds readable data, then out-of-order data past it. */
    struct sk_ring sndbuf, rcvbuf;
    struct sk_reasm reasm;
    struct sk_reasm sacked; /* RFC 6675 scoreboard: SACKed ranges above SND.UNA */
    struct sk_rtt rtt;

    /* A listener's own state (listen.h; NULL until it listens), and a child's link to its
     * listener. A listener is linked in the stack's list of them by queue_next. */
    struct sk_listen *listen;
    struct sk_tcb *listener;                /* our listener while in its queues */
    struct sk_tcb *queue_next, *queue_prev; /* in the listener's SYN or accept queue */

    /* Stack bookkeeping. */
    struct sk_tcb *touch_next;          /* stack/sched.h: touched in this call */
    struct sk_tcb *out_next, *out_prev; /* stack/sched.h: output queued by socket calls */
    struct sk_port_entry *port_entry;   /* stack/ports.h: the local port it holds */
    struct sk_tcb *hash_next;
    struct sk_tcb *all_next, *all_prev;

    /* Statistics. */
    uint64_t retransmissions, timeouts, bytes_sent, bytes_acked, bytes_received;
    /* RACK (rack.h, RFC 8985): its state and when new data left, taken with the first data
     * sent; the reordering timer. */
    struct sk_rack_log *rack_log;
    synack_time_t rack_at;
    /* chrono.h: the clock running since chrono_start, and the time per clock so far (ms). */
    synack_time_t chrono_start;
    uint32_t chrono_ms[3];
    uint32_t delivered; /* segments acknowledged or SACKed, our SYN counted (Linux delivered) */
    uint64_t segments_in, segments_out;
    /* The ends of MSG_EOR records not yet acknowledged, oldest first, a ring of SK_EOR_MAX
     * from eor_head (stack memory, allocated at the first MSG_EOR, freed with the block). */
    uint32_t *eor;
    /* Zero-copy sending and receiving (zcopy.h): taken at the first use, freed with the
     * block. */
    struct sk_zc *zc;
    /* When data last arrived in order (or the connection was established) and last left
     * (Linux icsk_ack.lrcvtime and lsndtime, for tcp_info); SYNACK_TIME_NEVER before. */
    synack_time_t last_data_recv_at, last_data_sent_at;

    enum synack_tcp_state state;
    struct synack_endpoint local, remote;
    /* Send sequence variables (RFC 9293 3.3.1). snd_max is the highest SND.NXT ever sent:
     * after a timeout SND.NXT goes back to SND.UNA while snd_max remembers what was sent. */
    uint32_t iss, snd_una, snd_nxt, snd_max, snd_wnd, snd_wl1, snd_wl2;
    uint32_t max_snd_wnd;  /* largest window the peer offered (RFC 1122 4.2.3.4) */
    uint32_t snd_edge;     /* the right edge furthest right the peer has offered */
    uint32_t rtx_end;      /* end of the furthest data sent again (tcp_info retrans) */
    uint32_t snd_sml;      /* end of the last short segment sent (Minshall / Linux) */
    uint32_t snd_buf_seq;  /* sequence number of the send buffer's first byte */
    uint32_t high_rxt;     /* RFC 6675 HighRxt */
    uint32_t last_new_seq; /* first sequence number of the last new segment */
    uint32_t rtt_seq;      /* the timed segment */
    /* Receive sequence variables. rcv_adv is the right edge we last advertised. */
    uint32_t irs, rcv_nxt, rcv_adv;
    uint32_t ts_recent;     /* TS.Recent: the peer's timestamp to echo */
    uint32_t ts_offset;     /* per-connection offset of our TSval clock (Linux tsoffset) */
    uint32_t last_ack_sent; /* Last.ACK.sent (RFC 7323 4.3) */
    uint32_t ooo_latest;    /* sequence number of the latest out-of-order arrival (SACK) */
    uint32_t ooo_fin_off;   /* where an out-of-order FIN is held past RCV.NXT */
    uint32_t rcv_mss;       /* largest segment received: what full-sized means */
    /* Receive-buffer auto-tuning (rcv_tune.h): the largest the buffer may grow to (its
     * size when SO_RCVBUF fixed it; sndbuf_max likewise), the receiver's RTT estimate (Linux
     * rcv_rtt_est) and the bytes read since rcvq_time (Linux rcvq_space). */
    uint32_t rcvbuf_max, sndbuf_max;
    uint32_t rcv_rtt_us, rcv_rtt_last_us, rcv_rtt_seq;
    uint32_t rcvq_space, rcvq_read;
    /* After a timeout (in_loss, Linux TCP_CA_Loss; cc.c): the episode ends when recover is
     * acknowledged, high_rxt is as far as it has gone back, loss_sacked the highest byte the
     * peer had SACKed when a timeout cleared the scoreboard. loss_tsval: the TSval of the
     * first retransmission while none was outstanding (Linux retrans_stamp; RFC 3522: an
     * ACK echoing an older one was for originals). */
    uint32_t loss_tsval, loss_sacked;
    synack_time_t rcv_rtt_time, rcvq_time;
    /* RFC 2883: a duplicate [dsack_start, dsack_end) to report first in the next ACK. */
    uint32_t dsack_start, dsack_end;
    /* Congestion control (cc.h): the window, the algorithm's state, and Proportional Rate
     * Reduction's counts during recovery (RFC 6937: prr_delivered, prr_out, RecoverFS). */
    uint32_t cwnd, ssthresh;
    struct {
        synack_time_t epoch; /* start of the current epoch, 0 if none */
        uint32_t w_max;      /* window before the last reduction (bytes) */
        uint32_t origin;     /* W_max of this epoch's curve (bytes) */
        uint32_t w_est;      /* the Reno-friendly estimate (bytes) */
        uint32_t k_us;       /* K: time to reach origin (us) */
        uint32_t cwnd_prior; /* cwnd when ssthresh was last set */
    } cubic;
    uint32_t prr_delivered, prr_out, recover_fs;
    struct sk_hystart {             /* hystart.h (RFC 9406 names) */
        uint32_t window_end;        /* the round ends when this is acknowledged */
        uint32_t last_min, cur_min; /* lastRoundMinRTT, currentRoundMinRTT (us) */
        uint32_t css_baseline;      /* cssBaselineMinRtt (us) */
        uint8_t samples;            /* rttSampleCount */
        uint8_t css_rounds;
        bool in_css;
    } hystart;
    uint32_t max_flight, cwnd_usage_seq; /* cc.c sk_cc_validate (Linux max_packets_out) */
    /* Undo of a reduction found spurious (cc.c, Linux tcp_try_undo_dsack): the window
     * before it, the data in flight when its episode began [undo_marker, undo_end), and
     * the retransmissions of that data not yet D-SACKed. */
    uint32_t prior_cwnd, prior_ssthresh, undo_marker, undo_end, undo_retrans;
    uint32_t cwr_end; /* ECE is acted on once per window: not again before this is ACKed */
    uint32_t recover;
    unsigned ka_probes;       /* keepalive probes sent unanswered */
    uint32_t notsent_lowat;   /* TCP_NOTSENT_LOWAT (0: the config's) */
    uint32_t user_timeout_ms; /* TCP_USER_TIMEOUT (RFC 5482) in ms, as Linux keeps it; 0: off */
    /* Delayed-ACK estimator, as Linux's icsk_ack: ato (0 until the first data) and when data
     * last arrived, in microseconds on a 32-bit clock (a gap of 71 minutes reads short: an
     * estimate, not a timer), and interactive (pingpong) mode, in which ACKs wait to ride on
     * replies. */
    uint32_t ato_us, lrcv_us;
    unsigned backoff;        /* consecutive RTO expirations (retries) */
    unsigned persist_probes; /* probes sent since the peer last answered */
    /* Socket side. */
    int fd; /* descriptor, or -1 once closed by the application */
    uint32_t sndbuf_size, rcvbuf_size;
    unsigned heap_pos; /* 1 + index in the stack's timer heap, 0 if not in it */
    /* Where PSH goes (output.c): the end of the latest write that pushed (Linux
     * tcp_mark_push), while push_mark. */
    uint32_t push_seq;

    uint16_t snd_mss;     /* effective MSS for what we send */
    uint16_t our_mss;     /* MSS we announce */
    uint16_t pmtu;        /* path MTU learned (RFC 1191); 0: the link's */
    uint16_t tfo_syn_len; /* data our first SYN carried (Fast Open) */
    uint16_t peer_mss;    /* MSS the peer announced (or the default) */
    uint16_t reordering;  /* how far the peer reordered, in segments (Linux tp->reordering;
                             0: not yet, read as 3) */
    int16_t error;        /* pending error (SO_ERROR; recv/send report it once); 0 if none */
    int16_t soft_error;   /* last ICMP soft error (RFC 1122 4.2.3.9), reported on timeout */
    /* Keepalive per socket (TCP_KEEPIDLE and TCP_KEEPINTVL in seconds, TCP_KEEPCNT; 1 ..
     * 32767 each); 0: the config's (timers.h sk_tcp_ka_idle and its kin read them). */
    uint16_t ka_idle_s, ka_interval_s, ka_max;
    uint16_t dupacks; /* saturates at UINT16_MAX (only up to 3 matters: cc.c) */
    uint8_t snd_wscale : 4, rcv_wscale : 4; /* RFC 7323: shifts (at most 14), 0 unless both
                                               sides sent WS */
    uint8_t port_hold : 2;   /* stack/ports.h: how it holds its local port (enum sk_port_hold) */
    uint8_t chrono_type : 2; /* the clock running (chrono.h enum sk_chrono) */
    uint8_t cc_algo;         /* enum synack_congestion */
    uint8_t syn_retries;     /* TCP_SYNCNT (0: the config's syn/synack_retries) */
    uint8_t persist_backoff; /* zero-window probe interval doublings (at most 31) */
    uint8_t quickacks;       /* segments still ACKed at once (quick-ACK mode; at most 16) */
    uint8_t tos;             /* IP_TOS: the TOS byte's upper six bits */
    uint8_t eor_head;        /* the MSG_EOR ring (eor, below): its first record */
    uint8_t eor_count;       /* ... and how many it holds */

    bool wscale_ok : 1;
    bool ts_ok : 1;         /* RFC 7323: both SYNs carried timestamps */
    bool sack_ok : 1;       /* RFC 2018: both SYNs carried SACK-permitted */
    bool tfo : 1;           /* RFC 7413: this SYN asks for or carries a Fast Open cookie */
    bool tfo_deferred : 1;  /* TCP_FASTOPEN_CONNECT: the SYN waits for the first send */
    bool tfo_connect : 1;   /* the application set TCP_FASTOPEN_CONNECT */
    bool tfo_no_cookie : 1; /* TCP_FASTOPEN_NO_COOKIE: data in the SYN without a cookie */
    bool tfo_syn_opt : 1;   /* our first SYN had the Fast Open option (Linux syn_fastopen) */
    bool tfo_syn_exp : 1;   /* ... in the experimental format */
    bool pingpong : 1;      /* interactive: ACKs of data are delayed (see ato) */
    bool pmtu_dont : 1;     /* IP_PMTUDISC_DONT: DF clear, no path MTU discovery */
    bool user_mss : 1;      /* TCP_MAXSEG set our_mss: a route's advmss only lowers it */
    bool syn_acked : 1;     /* our SYN is acknowledged (not SND.UNA == ISS: that recurs
                               every 4 GiB) */
    bool has_buffers : 1;   /* buffers set up (connect, listen's child); their memory comes
                               and goes with the data */
    bool sack_recovery : 1; /* loss recovery driven by the scoreboard */
    bool fin_queued : 1;    /* the application is done sending: FIN follows the data */
    bool snd_nospace : 1;   /* a send found the buffer full (Linux SOCK_NOSPACE) */
    bool fin_received : 1;  /* the peer's FIN was taken in sequence */
    bool ooo_fin : 1;       /* an out-of-order FIN is held at ooo_fin_off past RCV.NXT */
    bool shut_rd : 1;       /* shutdown(SHUT_RD): discard what arrives */
    bool nodelay : 1;
    bool ack_now : 1; /* an ACK is owed: sent by the next output */
    bool keepalive : 1;
    bool tlp_out : 1;           /* a probe is out, unacknowledged */
    bool syn_retransmitted : 1; /* RFC 6298 5.7 */
    bool rtt_timing : 1;        /* a segment is being timed (Karn's rule) */
    bool oow_answered : 1;
    bool probe_stamped : 1;
    bool dsack : 1; /* dsack_start/end wait to be reported (RFC 2883) */
    bool in_recovery : 1;
    bool cwnd_limited : 1; /* the last window's flight filled cwnd (cc.c) */
    bool undo_armed : 1;   /* a reduction may still be undone (cc.c) */
    bool in_loss : 1;      /* going back after a timeout (see loss_tsval) */
    bool frto : 1;         /* ... and F-RTO (RFC 5682) still judging it (cc.c) */
    bool frto_hold : 1;    /* F-RTO sent new data: nothing goes again before the next ACK */
    bool ecn_ok : 1;       /* RFC 3168: both ends agreed in the handshake */
    bool ece_pending : 1;  /* a CE mark came: ECE on our ACKs until the peer's CWR */
    bool cwr_pending : 1;  /* we reduced for an ECE: CWR on the next new data */
    bool passive : 1;      /* created by a listener */
    bool reuseaddr : 1;
    bool in_accept_queue : 1;
    bool touched : 1, out_marked : 1; /* stack/sched.h */
    bool hashed : 1;
    bool counted : 1;     /* counts against max_connections (the stack's) */
    bool dead : 1;        /* freed at the end of the current stack call */
    bool rst_pending : 1; /* aborted: the next poll sends RST, then frees */
    /* Send flags (output.c; see push_seq above): */
    bool push_mark : 1;
    bool cork : 1;      /* TCP_CORK: partial segments wait (Linux TCP_NAGLE_CORK) */
    bool more_once : 1; /* MSG_MORE: the output this send asks for holds partial segments */
    bool push_once : 1; /* TCP_NODELAY set: the next output sends even if corked (Linux
                           TCP_NAGLE_PUSH, cleared by the next write) */
    bool inq : 1;       /* TCP_INQ: recvmsg reports the bytes left to read */
    /* TCP Fast Open server (RFC 7413 4.3; the listener's side is in listen.h). */
    bool tfo_passive : 1; /* a Fast Open child: in the accept queue before the ACK */
    bool tfo_counted : 1; /* ... and counted in its listener's tfo_pending */
    bool tfo_data : 1;    /* our SYN-ACK acknowledged data from the SYN (TCPI_OPT_SYN_DATA) */
    bool tfo_fresh : 1;   /* no data since the SYN's: reads do not open the window */
};

/* Most MSG_EOR records held at once; past it a record's end is not kept (it coalesces). */
#define SK_EOR_MAX 32

#endif
