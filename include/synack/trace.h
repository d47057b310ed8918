/* SPDX-License-Identifier: MIT */
/* synack: trace events, the raw material of ladder diagrams and timelines. */
#ifndef SYNACK_TRACE_H
#define SYNACK_TRACE_H

#include <stdbool.h>
#include <stdio.h>
#include "synack/types.h"

/* TCP header flags, as on the wire. */
#define SYNACK_FIN 0x01
#define SYNACK_SYN 0x02
#define SYNACK_RST 0x04
#define SYNACK_PSH 0x08
#define SYNACK_ACK 0x10
#define SYNACK_URG 0x20
#define SYNACK_ECE 0x40 /* ECN-Echo (RFC 3168 6.1) */
#define SYNACK_CWR 0x80 /* Congestion Window Reduced (RFC 3168 6.1) */

enum synack_trace_kind {
    SYNACK_TRACE_SEGMENT_IN,  /* a TCP segment passed IP and TCP checks */
    SYNACK_TRACE_SEGMENT_OUT, /* a TCP segment left through the link */
    SYNACK_TRACE_STATE,       /* a connection changed state */
    SYNACK_TRACE_DROP,        /* a packet or segment was dropped; see counter */
    SYNACK_TRACE_CWND,        /* the congestion window or ssthresh changed; see cwnd */
    SYNACK_TRACE_RTT,         /* a round-trip sample updated SRTT, RTTVAR and RTO; see rtt */
    SYNACK_TRACE_TIMER,       /* a connection's timer fired; see timer */
    SYNACK_TRACE_CALL,        /* the application made a socket call; see call */
    SYNACK_TRACE_TIMER_SET,   /* a connection's timer was armed (it was not running); see
                                 timer (which, and at: when it will fire) */
};

/* Which socket call (CALL). Calls that only ask (getsockopt, getsockname, getpeername,
 * get_error, poll_events, get_info) are not traced. */
enum synack_trace_call {
    SYNACK_CALL_SOCKET,   /* result: the new descriptor */
    SYNACK_CALL_BIND,     /* addr: the local address asked for */
    SYNACK_CALL_LISTEN,   /* arg: the backlog asked for */
    SYNACK_CALL_ACCEPT,   /* result: the new descriptor; addr: its peer */
    SYNACK_CALL_CONNECT,  /* addr: the remote address */
    SYNACK_CALL_SEND,     /* arg: bytes offered; result: bytes taken */
    SYNACK_CALL_RECV,     /* arg: bytes asked for, arg2: flags; result: bytes read */
    SYNACK_CALL_SHUTDOWN, /* arg: how (SYNACK_SHUT_*) */
    SYNACK_CALL_CLOSE,
    SYNACK_CALL_ABORT,
    SYNACK_CALL_SETSOCKOPT,  /* arg: the value, arg2: the option (enum synack_sockopt) */
    SYNACK_CALL_SENDTO,      /* synack_sendto_fastopen(_flags): addr, arg bytes offered,
                                arg2 its flags */
    SYNACK_CALL_RECV_BORROW, /* arg: views offered; result: bytes lent */
    SYNACK_CALL_RECV_RETURN, /* arg: bytes given back (consumed) */
    SYNACK_CALL_COUNT
};
/* "socket", "bind", "listen", "accept", "connect", "send", "recv", "shutdown", "close",
 * "abort", "setsockopt", "sendto"; "?" out of range. */
const char *synack_call_name(int call);

/* Which timer fired (TIMER). */
enum synack_trace_timer {
    SYNACK_TIMER_RTO,       /* retransmission (RFC 6298), also SYN and SYN,ACK */
    SYNACK_TIMER_TLP,       /* tail loss probe (RFC 8985 7) */
    SYNACK_TIMER_PERSIST,   /* zero-window probe, or the sender SWS override */
    SYNACK_TIMER_DELACK,    /* delayed ACK */
    SYNACK_TIMER_KEEPALIVE, /* keepalive probe (RFC 1122 4.2.3.6) */
    SYNACK_TIMER_CLOSE,     /* end of TIME-WAIT or of an orphaned FIN-WAIT-2 */
    SYNACK_TIMER_REORDER,   /* RACK's reordering window passed (RFC 8985 6.3) */
    SYNACK_TIMER_COUNT
};
/* "rto", "tlp", "persist", "delayed-ack", "keepalive", "close"; "?" out of range. */
const char *synack_timer_name(int timer);

/* Why a segment left (SEGMENT_OUT). Retransmission causes carry `backoff` (RTO: how many
 * times the timer has backed off for this segment, 1 for the first timeout). */
enum synack_trace_cause {
    SYNACK_CAUSE_NONE,            /* unknown (a segment read from a capture) */
    SYNACK_CAUSE_OPEN,            /* our SYN or SYN,ACK, the first time */
    SYNACK_CAUSE_DATA,            /* new data (with FIN if it ends the stream) */
    SYNACK_CAUSE_FIN,             /* our FIN without data, the first time */
    SYNACK_CAUSE_ACK,             /* an ACK owed at once (data, window update, duplicate) */
    SYNACK_CAUSE_DELAYED_ACK,     /* the delayed-ACK timer fired (RFC 1122 4.2.3.2) */
    SYNACK_CAUSE_RTO,             /* retransmission timeout (RFC 6298 5.4), with backoff */
    SYNACK_CAUSE_RTO_GO_BACK,     /* after a timeout, the rest of the window sent again */
    SYNACK_CAUSE_FAST_RETRANSMIT, /* three duplicate ACKs (RFC 5681 3.2) */
    SYNACK_CAUSE_PARTIAL_ACK,     /* NewReno partial acknowledgment (RFC 6582 3.2 step 4) */
    SYNACK_CAUSE_SACK_RECOVERY,   /* SACK loss recovery (RFC 6675) */
    SYNACK_CAUSE_TLP,             /* tail loss probe (RFC 8985 7.3) */
    SYNACK_CAUSE_SYN_REPEAT,      /* the peer repeated its SYN: our SYN,ACK again */
    SYNACK_CAUSE_PERSIST,         /* zero-window probe / persist override (RFC 9293 3.8.6.1) */
    SYNACK_CAUSE_KEEPALIVE,       /* keepalive probe (RFC 1122 4.2.3.6) */
    SYNACK_CAUSE_CHALLENGE_ACK,   /* RFC 5961 challenge ACK */
    SYNACK_CAUSE_ANSWER,          /* ACK answering an unacceptable segment (RFC 9293 3.10.7.4) */
    SYNACK_CAUSE_TIME_WAIT,       /* an answer from a TIME-WAIT record */
    SYNACK_CAUSE_RESET,           /* RST answering a segment no connection takes */
    SYNACK_CAUSE_ABORT,           /* RST,ACK ending a connection (abort, keepalive timeout) */
    SYNACK_CAUSE_FASTOPEN,        /* data of our Fast Open SYN the SYN-ACK did not take (RFC
                                     7413 4.2.2), sent again at once */
    SYNACK_CAUSE_PMTU,            /* sent again in a smaller size after "fragmentation
                                     needed" (RFC 1191) */
    SYNACK_CAUSE_COUNT
};

/* A short name for a cause ("rto", "fast retransmit", "delayed ack"; "" for NONE). */
const char *synack_trace_cause_name(enum synack_trace_cause cause);

/* A TCP segment, decoded. Options that are absent are 0 / false. */
struct synack_trace_segment {
    struct synack_endpoint src;
    struct synack_endpoint dst;
    uint32_t seq;
    uint32_t ack;
    uint8_t flags;   /* SYNACK_SYN | SYNACK_ACK ... */
    uint16_t window; /* as on the wire (not scaled) */
    uint32_t len;    /* payload bytes */
    uint16_t mss;    /* MSS option, 0 if absent */
    int8_t wscale;   /* window scale option, -1 if absent */
    bool sack_permitted;
    bool retransmission; /* out only: this segment repeats sequence space sent before */
    uint8_t cause;       /* out only: enum synack_trace_cause */
    uint8_t backoff;     /* out only, cause RTO: 1 for the first timeout, 2 the next... */
    uint8_t opt_len;     /* the raw TCP options as on the wire, in order (0..40 bytes) */
    uint8_t options[40];
};

/* Writes the options of s as tcpdump does, in wire order ("<mss 1460,sackOK,TS val 1 ecr
 * 0,nop,wscale 3>"), or "" when there are none; SACK block edges are shown less sack_base
 * (0 for absolute numbers). Writes at most size bytes including the NUL; returns buf. */
char *synack_trace_options_str(const struct synack_trace_segment *s, uint32_t sack_base, char *buf,
                               size_t size);

/* Why s left, for people: "rto #2", "fast retransmit", "delayed ack"; "retransmission"
 * for a retransmission of unknown cause, "" if nothing is known. Returns buf. */
char *synack_trace_cause_str(const struct synack_trace_segment *s, char *buf, size_t size);

struct synack_trace_event {
    enum synack_trace_kind kind;
    synack_time_t time;
    /* The connection's endpoints (local, remote); zero for drops before demultiplexing. */
    struct synack_endpoint local;
    struct synack_endpoint remote;
    union {
        struct synack_trace_segment segment; /* SEGMENT_IN / SEGMENT_OUT */
        struct {
            enum synack_tcp_state from, to;
        } state; /* STATE */
        struct {
            int counter; /* enum synack_counter */
        } drop;          /* DROP */
        struct {
            uint32_t cwnd, ssthresh; /* bytes; ssthresh 0xffffffff: not set yet */
            uint32_t in_flight;      /* bytes sent and not acknowledged, SACKed ones included
                                        (the RFC 6675 pipe recovery uses is lower) */
            uint8_t algorithm;       /* enum synack_congestion */
            bool in_recovery;
        } cwnd; /* CWND */
        struct {
            synack_time_t sample, srtt, rttvar, rto;
        } rtt; /* RTT */
        struct {
            int which;        /* enum synack_trace_timer */
            unsigned backoff; /* RTO: which timeout in a row this is (1 for the first, as the
                                 segment it sends counts); persist: probes sent before */
            synack_time_t at; /* TIMER_SET: when it will fire (the stack's clock) */
        } timer;              /* TIMER */
        struct {
            int call;                    /* enum synack_trace_call */
            int fd;                      /* the descriptor it was made on (-1: socket) */
            int64_t arg;                 /* what was asked: bytes, backlog, how, value */
            int arg2;                    /* recv: flags; setsockopt: the option */
            struct synack_endpoint addr; /* bind, connect, sendto: asked; accept: the peer */
            int64_t result;              /* what it returned: >= 0, or a negative errno */
        } call;                          /* CALL */
    } u;
};

/* A call as a person writes it, with its result: "send(1000) = 1000",
 * "connect(198.18.0.2:80) = -EINPROGRESS", "accept() = 4 (198.18.0.1:40000)",
 * "setsockopt(TCP_NODELAY, 1) = 0", "shutdown(SHUT_WR) = 0". Returns buf. */
char *synack_trace_call_str(const struct synack_trace_event *ev, char *buf, size_t size);

typedef void (*synack_trace_fn)(void *ctx, const struct synack_trace_event *event);

/* Reads a packet capture and calls fn once for every TCP segment over IPv4 in it, in file
 * order, as a SEGMENT_OUT event (local and src = the sender, time = the capture's time
 * stamp in ns, options as on the wire; cause NONE, retransmission false). Formats: classic
 * pcap (either byte order, us or ns time stamps) and pcapng (section, interface and
 * enhanced/simple packet blocks), link types raw IPv4 (12, 14, 101, 228), Ethernet (1,
 * with 802.1Q tags), BSD loopback (0) and Linux cooked captures v1 (113) and v2 (276).
 * Fragments other than the first and packets cut before the TCP options are skipped.
 * Returns the number of segments, or -EINVAL (not a capture, or a damaged one: `err`
 * says where), -EPROTONOSUPPORT (a link type not listed), -EIO (read error). err may be
 * NULL. */
int synack_pcap_read(FILE *in, synack_trace_fn fn, void *ctx, char *err, size_t err_size);

/* Writes "SYN,ACK" style flag names into buf (at least 24 bytes); returns buf. */
char *synack_flags_str(uint8_t flags, char *buf, size_t size);

#endif
