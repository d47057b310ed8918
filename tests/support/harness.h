/* SPDX-License-Identifier: MIT */
/* Test harness: one synack stack facing a scripted peer. Tests inject segments as the peer
 * and assert the exact segments the stack sends, in virtual time (smoltcp style). */
#ifndef SYNACK_TEST_HARNESS_H
#define SYNACK_TEST_HARNESS_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdbool.h>
#include "synack/synack.h"

#define TH_LOCAL_ADDR SYNACK_IPV4(198, 18, 0, 2)
#define TH_PEER_ADDR SYNACK_IPV4(198, 18, 0, 1)
#define TH_LOCAL_PORT 80
#define TH_PEER_PORT 40000
#define TH_MAX_PKTS 4096
#define TH_MAX_STATES 256

/* One segment the stack sent, decoded. */
struct th_out {
    synack_time_t time;
    uint32_t src, dst;
    uint16_t sport, dport;
    uint32_t seq, ack;
    uint8_t flags;
    uint16_t win;
    uint32_t len;
    uint8_t payload[2048];
    int mss;    /* -1 if absent */
    int wscale; /* -1 if absent */
    bool sack_permitted;
    bool has_ts;
    uint32_t ts_val, ts_ecr;
    unsigned sack_count;
    uint32_t sack[4][2];
    uint8_t ecn;     /* the IP header's ECN field */
    uint8_t tos;     /* the whole TOS byte */
    bool df;         /* Don't Fragment set */
    bool has_fo;     /* Fast Open option present */
    unsigned fo_len; /* its cookie length (0: a request) */
    uint8_t fo_cookie[16];
    bool fo_exp; /* in the experimental form (kind 254, ExID 0xF989) */
};

struct th_state_change {
    synack_time_t time;
    struct synack_endpoint local, remote;
    enum synack_tcp_state from, to;
};

struct th {
    struct synack_stack *stack;
    struct synack_config cfg;
    synack_time_t now;
    struct th_out *out; /* ring of captured output */
    unsigned out_head, out_count;
    struct th_state_change states[TH_MAX_STATES];
    unsigned nstates;
    /* Non-TCP packets the stack sent (ICMP): the last one, and how many. */
    uint8_t other[2048];
    size_t other_len;
    unsigned other_count;
};

/* Segment the peer sends. Unset fields are 0; mss/wscale 0/-1 mean "no option" when
 * has_opts is false. */
struct th_seg {
    uint8_t flags;
    uint32_t seq, ack;
    uint16_t win;
    const void *data;
    uint32_t len;
    int mss;               /* <= 0: no MSS option */
    int wscale;            /* <= 0: no window scale option (TH_NO_WS); TH_WS0 sends a shift of 0 */
    uint16_t sport, dport; /* 0: TH_PEER_PORT / TH_LOCAL_PORT */
    uint32_t src, dst;     /* 0: TH_PEER_ADDR / TH_LOCAL_ADDR */
    bool sack_permitted;
    bool has_ts;
    uint32_t ts_val, ts_ecr;
    unsigned fo_len; /* > 0: a Fast Open cookie of this many bytes (fo_cookie) */
    const uint8_t *fo_cookie;
    bool fo_request;     /* an empty Fast Open option: a cookie request */
    bool fo_exp;         /* the option in its experimental form (kind 254, ExID 0xF989) */
    unsigned sack_count; /* SACK blocks [start, end) to send (0..4) */
    uint32_t sack[4][2];
    uint8_t ecn; /* the IP header's ECN field (RFC 3168 5), 0..3 */
};
#define TH_NO_WS (-1)
#define TH_WS0 100

/* Test configuration: defaults with a fixed secret, our address TH_LOCAL_ADDR. */
void th_config(struct synack_config *cfg);
/* Creates the stack (cfg NULL: th_config). */
void th_init(struct th *h, const struct synack_config *cfg);
void th_free(struct th *h);

/* Injects a segment from the peer at the current time. */
void th_inject(struct th *h, const struct th_seg *seg);
/* Injects raw bytes as an IP packet. */
void th_inject_raw(struct th *h, const uint8_t *pkt, size_t len);
/* Builds the IPv4 packet for seg into buf (>= 100 + seg->len bytes); returns its length. */
size_t th_build(const struct th_seg *seg, uint8_t *buf);

/* Polls the stack at the current time. */
void th_poll(struct th *h);
/* Moves time forward by d, running every deadline on the way. */
void th_advance(struct th *h, synack_time_t d);
/* Runs until the next deadline (if any, at most `limit` ahead); returns the new time. */
synack_time_t th_run_next(struct th *h, synack_time_t limit);

/* Takes the next captured segment; false if none. */
bool th_take(struct th *h, struct th_out *out);
/* Asserts the next captured segment has exactly these flags, seq, ack and len; returns it. */
struct th_out th_expect(struct th *h, uint8_t flags, uint32_t seq, uint32_t ack, uint32_t len);
/* Asserts nothing was sent. */
void th_expect_none(struct th *h);
unsigned th_pending(const struct th *h);

/* The last state the trace reported for the connection with the peer port (any local). */
enum synack_tcp_state th_state_of(const struct th *h, uint16_t peer_port);
/* True if the trace recorded the transition from -> to for peer_port. */
bool th_saw_transition(const struct th *h, uint16_t peer_port, enum synack_tcp_state from,
                       enum synack_tcp_state to);

/* Listens on TH_LOCAL_PORT; returns the listening descriptor. */
int th_listen(struct th *h, int backlog);
/* Completes a passive open with peer ISN peer_iss: SYN in, SYN-ACK out, ACK in, accept.
 * Returns the accepted descriptor; *our_iss gets our ISS. */
int th_passive_open(struct th *h, int lfd, uint32_t peer_iss, uint32_t *our_iss);
/* Listens and completes a passive open with a peer (ISN peer_iss) that announces mss (<= 0:
 * no option) and the unscaled window win. Returns the accepted descriptor; *snd gets our
 * next sequence number (ISS + 1), *rcv the peer's (peer_iss + 1). */
int th_open_unscaled(struct th *h, int mss, uint16_t win, uint32_t peer_iss, uint32_t *snd,
                     uint32_t *rcv);
/* An established connection with a scripted peer whose ISN is TH_CONN_PEER_ISS. */
#define TH_CONN_PEER_ISS 9000u
struct th_conn {
    struct th h;
    int fd;
    uint32_t snd, rcv; /* our next sequence number, the peer's */
};
/* th_init(cfg) + th_open_unscaled(mss, win). */
void th_conn_open(struct th_conn *c, const struct synack_config *cfg, int mss, uint16_t win);
/* Completes an active open to the peer: connect, SYN out, SYN-ACK in, ACK out. Returns the
 * descriptor; *our_iss gets our ISS. The local port is whatever the stack picked and is
 * returned in *local_port. */
int th_active_open(struct th *h, uint32_t peer_iss, uint32_t *our_iss, uint16_t *local_port);

/* Two simulated hosts: client 198.18.0.1 and server 198.18.0.2, linked by `path` both
 * ways (NULL: perfect); the server listens on port 80 (lfd) and the client has a socket
 * (cfd) not yet connected. adjust(ctx, side, cfg), if given, edits each config (side 0
 * client, 1 server) before the stacks are made. */
#include "synack/sim.h"
struct th_pair {
    struct synack_sim *sim;
    int client, server;
    struct synack_stack *cs, *ss;
    int lfd, cfd;
};
#define TH_CLIENT_ADDR SYNACK_IPV4(198, 18, 0, 1)
#define TH_SERVER_ADDR SYNACK_IPV4(198, 18, 0, 2)
void th_pair_init(struct th_pair *p, uint64_t seed, const struct synack_sim_path *path,
                  void (*adjust)(void *ctx, int side, struct synack_config *cfg), void *ctx);
/* connect() from the client to the server's port 80. */
void th_pair_connect(struct th_pair *p);
void th_pair_free(struct th_pair *p);
/* Connects, sends total bytes client -> server and runs the simulation until the server has
 * read them all (accepting on the way); false if that took longer than limit. */
bool th_pair_bulk(struct th_pair *p, uint32_t total, synack_time_t limit);

/* socket() + connect() to the peer + poll: returns our SYN; *fd gets the descriptor. */
struct th_out th_connect_syn(struct th *h, int *fd);

/* The peer's SYN (MSS 1460, window scale 7) to our listener; returns our SYN-ACK. */
struct th_out th_syn_in(struct th *h, uint32_t peer_iss);

/* Asserts that doc (len bytes) parses as XML with root element `root`, with python3's
 * parser (Debian has it wherever the suite runs; skipped with a message without it). */
void th_parses_as_xml(const char *doc, size_t len, const char *root);

/* How many times needle occurs in hay (overlapping ones too). */
unsigned th_count(const char *hay, const char *needle);

/* Fails the test, showing doc, unless want occurs in it. */
void th_has(const char *doc, const char *want);
#endif
