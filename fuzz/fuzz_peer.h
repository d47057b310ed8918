/* SPDX-License-Identifier: MIT */
/* Helpers shared by the structure-aware fuzz targets: a cursor over the fuzzer's bytes and a
 * scripted peer that watches what a stack sends and builds segments with valid checksums and
 * sequence numbers near the ones the stack expects, so inputs get past the parsers and the
 * acceptability tests into the engine. Not part of the library. */
#ifndef SYNACK_FUZZ_PEER_H
#define SYNACK_FUZZ_PEER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "synack/synack.h"

/* The fuzzer's bytes, read front to back; reading past the end yields zeros. */
struct fz_in {
    const uint8_t *data;
    size_t size, off;
};

uint8_t fz_u8(struct fz_in *in);
uint16_t fz_u16(struct fz_in *in);
uint32_t fz_u32(struct fz_in *in);
bool fz_more(const struct fz_in *in);

#define FZ_LOCAL_ADDR SYNACK_IPV4(198, 18, 0, 2) /* the stack under test */
#define FZ_PEER_ADDR SYNACK_IPV4(198, 18, 0, 1)  /* the scripted peer */
#define FZ_MAX_CONNS 16

/* The peer's view of one connection (peer side first). */
struct fz_conn {
    uint32_t paddr, saddr; /* peer and stack addresses */
    uint16_t pport, sport; /* peer and stack ports */
    bool stack_sent;       /* the stack has sent a segment on it */
    bool stack_acked;      /* ... with ACK: stack_ack is its RCV.NXT */
    uint32_t stack_iss;    /* the stack's SYN sequence number, once seen */
    uint32_t stack_max;    /* highest sequence the stack has used + 1 (its SND.MAX) */
    uint32_t stack_ack;    /* the stack's last ACK (its RCV.NXT) */
    uint32_t stack_tsval;  /* the stack's last TSval (our TSecr) */
    uint32_t peer_nxt;     /* the peer's next sequence number */
    uint32_t peer_tsval;   /* the peer's timestamp clock */
    bool peer_syn_sent;
};

/* A scripted peer: attach fz_peer_transmit as the stack's link with the peer as ctx. */
struct fz_peer {
    struct synack_stack *stack;
    struct fz_conn conns[FZ_MAX_CONNS];
    unsigned nconns;
    uint64_t packets_seen;
    bool has_ts; /* timestamps offered by the peer in its SYNs */
};

void fz_peer_init(struct fz_peer *p);
void fz_peer_transmit(void *ctx, const uint8_t *pkt, size_t len, synack_time_t now);

/* Finds or adds the connection (peer endpoint, stack endpoint); NULL when the table is full. */
struct fz_conn *fz_peer_conn(struct fz_peer *p, uint32_t paddr, uint16_t pport, uint32_t saddr,
                             uint16_t sport);

/* One segment from the peer. */
struct fz_seg {
    uint8_t flags;
    uint32_t seq, ack;
    uint16_t win, urg;
    /* Options written the Linux way, or raw option bytes (raw_len > 0 wins). */
    bool mss_on, ws_on, sackok_on, ts_on, fo_on;
    uint16_t mss;
    uint8_t ws;
    uint32_t tsval, tsecr;
    uint8_t nsack;
    uint32_t sack[4][2];
    uint8_t fo_len;
    uint8_t raw[40];
    uint8_t raw_len;
    const uint8_t *payload;
    size_t len;
    uint8_t ip_tos, ip_ttl;
};

/* Builds the IPv4 packet for s on c into buf (cap bytes, >= 60 + 40 + s->len) with valid IP
 * and TCP checksums; returns its length, or 0 if it does not fit. */
size_t fz_build(const struct fz_conn *c, const struct fz_seg *s, uint8_t *buf, size_t cap);

/* Sends s on c to the peer's stack at now (and moves the peer's sequence on when it is in
 * order). */
void fz_send(struct fz_peer *p, struct fz_conn *c, const struct fz_seg *s, synack_time_t now);

/* Reads a segment for c from the fuzzer's bytes: flags, sequence and acknowledgment numbers
 * as small offsets from what the stack expects (or anything, sometimes), window, options and
 * a payload (a pattern, or the fuzzer's bytes). payload_buf holds at least 4096 bytes. */
void fz_read_seg(struct fz_in *in, const struct fz_conn *c, struct fz_seg *s, uint8_t *payload_buf);

/* A time step read from the fuzzer: none, microseconds, milliseconds, around an RTO, long. */
synack_time_t fz_read_step(struct fz_in *in);

/* Runs the stack's timers from *now up to now + d, deadline by deadline (at most `cap`
 * polls), and leaves *now at the end. */
void fz_advance(struct synack_stack *st, synack_time_t *now, synack_time_t d, unsigned cap);

#endif
