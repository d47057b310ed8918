/* SPDX-License-Identifier: MIT */
/* synack: trace events, the raw material of ladder diagrams and timelines. */
#ifndef SYNACK_TRACE_H
#define SYNACK_TRACE_H

#include <stdbool.h>
#include "synack/types.h"

/* TCP header flags, as on the wire. */
#define SYNACK_FIN 0x01
#define SYNACK_SYN 0x02
#define SYNACK_RST 0x04
#define SYNACK_PSH 0x08
#define SYNACK_ACK 0x10
#define SYNACK_URG 0x20

enum synack_trace_kind {
    SYNACK_TRACE_SEGMENT_IN,  /* a TCP segment passed IP and TCP checks */
    SYNACK_TRACE_SEGMENT_OUT, /* a TCP segment left through the link */
    SYNACK_TRACE_STATE,       /* a connection changed state */
    SYNACK_TRACE_DROP,        /* a packet or segment was dropped; see counter */
};

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
};

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
    } u;
};

typedef void (*synack_trace_fn)(void *ctx, const struct synack_trace_event *event);

/* Writes "SYN,ACK" style flag names into buf (at least 24 bytes); returns buf. */
char *synack_flags_str(uint8_t flags, char *buf, size_t size);

#endif
