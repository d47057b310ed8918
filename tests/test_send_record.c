/* SPDX-License-Identifier: MIT */
/* What was sent is recorded once and nothing contradicts it; a small window never wedges a
 * sender; answers to unacceptable segments are rate-limited; received text never exceeds
 * the window offered; configurations that would break the wire are refused (issue 7). */
#include <errno.h>
#include <string.h>
#include "harness.h"

#define PEER_ISS TH_CONN_PEER_ISS

static void peer(struct th_conn *c, uint8_t flags, uint32_t seq, uint32_t ack, uint16_t win,
                 const void *data, uint32_t len)
{
    th_inject(&c->h,
              &(struct th_seg){
                  .flags = flags, .seq = seq, .ack = ack, .win = win, .data = data, .len = len});
}

static uint64_t counter(struct th_conn *c, enum synack_counter id)
{
    return synack_stack_counter(c->h.stack, id);
}

/* The stall of issue 7: after a timeout the retransmission took a full MSS from SND.UNA,
 * past SND.MAX, so bytes never sent went out as a "retransmission" and the peer's ACK of
 * them was then refused as an ACK of unsent data. */
static void rto_resends_only_what_was_sent(void **state)
{
    (void)state;
    struct th_conn c;
    th_conn_open(&c, NULL, 536, 100); /* MSS 536, window 100 */
    uint8_t data[1000];
    for (unsigned i = 0; i < sizeof data; i++)
        data[i] = (uint8_t)(i * 13 + 5);
    assert_int_equal(synack_send(c.h.stack, c.fd, data, sizeof data), 1000);
    th_poll(&c.h);
    struct th_out o = th_expect(&c.h, SYNACK_ACK, c.snd, c.rcv, 100);
    assert_memory_equal(o.payload, data, 100);
    th_expect_none(&c.h);
    /* RTO (200 ms: the handshake measured an RTT of 0): exactly the 100 bytes sent, without
     * PSH: the write goes on past them. */
    th_run_next(&c.h, SYNACK_SEC(10));
    o = th_expect(&c.h, SYNACK_ACK, c.snd, c.rcv, 100);
    assert_memory_equal(o.payload, data, 100);
    th_expect_none(&c.h);
    /* The peer acknowledges them: the next 100 go as new data. */
    peer(&c, SYNACK_ACK, c.rcv, c.snd + 100, 100, NULL, 0);
    o = th_expect(&c.h, SYNACK_ACK, c.snd + 100, c.rcv, 100);
    assert_memory_equal(o.payload, data + 100, 100);
    th_expect_none(&c.h);
    struct synack_conn_info info;
    synack_get_info(c.h.stack, c.fd, &info);
    assert_int_equal(info.bytes_sent, 200);
    assert_int_equal(info.retransmissions, 1);
    assert_int_equal(counter(&c, SYNACK_CTR_TCP_BAD_ACK), 0);
    th_free(&c.h);
}

/* A go-back-N after a timeout never joins repeated and new bytes in one segment (F-RTO off:
 * with it the first ACK would let new data go first; test_frto.c). */
static void go_back_n_stops_at_snd_max(void **state)
{
    (void)state;
    struct th_conn c;
    struct synack_config cfg;
    th_config(&cfg);
    cfg.frto = false;
    th_conn_open(&c, &cfg, 1000, 65535);
    uint8_t data[2500];
    memset(data, 'x', sizeof data);
    assert_int_equal(synack_send(c.h.stack, c.fd, data, 1500), 1500);
    th_poll(&c.h);
    th_expect(&c.h, SYNACK_ACK, c.snd, c.rcv, 1000);
    th_expect(&c.h, SYNACK_ACK | SYNACK_PSH, c.snd + 1000, c.rcv, 500);
    assert_int_equal(synack_send(c.h.stack, c.fd, data, 900), 900); /* waits: Nagle */
    th_poll(&c.h);
    th_expect_none(&c.h);
    th_run_next(&c.h, SYNACK_SEC(10)); /* RTO: the head segment */
    th_expect(&c.h, SYNACK_ACK, c.snd, c.rcv, 1000);
    /* The head is acknowledged: the rest of what was sent (500) goes again, alone, though
     * 900 new bytes wait behind it and cwnd would allow both in one segment... */
    peer(&c, SYNACK_ACK, c.rcv, c.snd + 1000, 65535, NULL, 0);
    th_expect(&c.h, SYNACK_ACK, c.snd + 1000, c.rcv, 500);
    th_expect_none(&c.h); /* ... and Nagle holds the new ones behind a short segment */
    peer(&c, SYNACK_ACK, c.rcv, c.snd + 1500, 65535, NULL, 0);
    th_expect(&c.h, SYNACK_ACK | SYNACK_PSH, c.snd + 1500, c.rcv, 900);
    th_expect_none(&c.h);
    th_free(&c.h);
}

/* RFC 9293 3.8.6.2.1: a window below the MSS and below half the largest window, with
 * nothing in flight, used to leave no timer armed at all. */
static void small_window_does_not_wedge_the_sender(void **state)
{
    (void)state;
    struct th_conn c;
    th_conn_open(&c, NULL, 1000, 4000);
    uint8_t data[5000];
    memset(data, 'y', sizeof data);
    assert_int_equal(synack_send(c.h.stack, c.fd, data, 4000), 4000);
    th_poll(&c.h);
    for (int i = 0; i < 4; i++)
        th_expect(&c.h, SYNACK_ACK | (i % 2 == 1 ? SYNACK_PSH : 0), c.snd + 1000u * i, c.rcv, 1000);
    peer(&c, SYNACK_ACK, c.rcv, c.snd + 4000, 100, NULL, 0); /* all in; the window is 100 */
    assert_int_equal(synack_send(c.h.stack, c.fd, data, 1000), 1000);
    th_poll(&c.h);
    th_expect_none(&c.h); /* sender SWS avoidance holds 100 < min(MSS, 4000 / 2) */
    assert_true(synack_stack_next_deadline(c.h.stack) != SYNACK_TIME_NEVER);
    synack_time_t t0 = c.h.now;
    th_run_next(&c.h, SYNACK_SEC(10)); /* the override: what fits goes */
    assert_int_equal(c.h.now - t0, SYNACK_MS(200));
    /* With PSH: Linux tcp_write_wakeup sets it on what its probe timer sends. */
    th_expect(&c.h, SYNACK_ACK | SYNACK_PSH, c.snd + 4000, c.rcv, 100);
    th_expect_none(&c.h);
    peer(&c, SYNACK_ACK, c.rcv, c.snd + 4100, 100, NULL, 0);
    th_expect_none(&c.h);
    th_run_next(&c.h, SYNACK_SEC(10));
    th_expect(&c.h, SYNACK_ACK | SYNACK_PSH, c.snd + 4100, c.rcv, 100);
    /* The window opens: the rest goes at once, the timers settle. */
    peer(&c, SYNACK_ACK, c.rcv, c.snd + 4200, 4000, NULL, 0);
    th_expect(&c.h, SYNACK_ACK | SYNACK_PSH, c.snd + 4200, c.rcv, 800);
    peer(&c, SYNACK_ACK, c.rcv, c.snd + 5000, 4000, NULL, 0);
    assert_int_equal(synack_stack_next_deadline(c.h.stack), SYNACK_TIME_NEVER);
    th_free(&c.h);
}

/* The heap overflow of issue 7: 3000 bytes in a SYN-ACK to a client with SO_RCVBUF 1024.
 * Only what our SYN's window allowed is taken (the ASan run would catch a write past the
 * buffer). */
static void syn_ack_data_trimmed_to_window(void **state)
{
    (void)state;
    struct th h;
    th_init(&h, NULL);
    int fd = synack_socket(h.stack);
    assert_int_equal(synack_setsockopt(h.stack, fd, SYNACK_SO_RCVBUF, 1024), 0);
    struct synack_endpoint r = {TH_PEER_ADDR, TH_PEER_PORT};
    assert_int_equal(synack_connect(h.stack, fd, &r), -EINPROGRESS);
    th_poll(&h);
    struct th_out syn = {0};
    assert_true(th_take(&h, &syn));
    assert_int_equal(syn.win, 1024);
    static uint8_t data[3000];
    for (unsigned i = 0; i < sizeof data; i++)
        data[i] = (uint8_t)(i * 31 + 7);
    th_inject(&h, &(struct th_seg){.flags = SYNACK_SYN | SYNACK_ACK,
                                   .seq = PEER_ISS,
                                   .ack = syn.seq + 1,
                                   .win = 65535,
                                   .mss = 1460,
                                   .wscale = TH_NO_WS,
                                   .data = data,
                                   .len = sizeof data,
                                   .dport = syn.sport});
    struct th_out a = th_expect(&h, SYNACK_ACK, syn.seq + 1, PEER_ISS + 1 + 1024, 0);
    assert_int_equal(a.win, 0);
    th_expect_none(&h);
    uint8_t got[4096];
    assert_int_equal(synack_recv(h.stack, fd, got, sizeof got), 1024);
    assert_memory_equal(got, data, 1024);
    th_free(&h);
}

/* Text beyond the window we offered is cut, even where the buffer would have room. */
static void text_past_the_window_is_cut(void **state)
{
    (void)state;
    struct synack_config cfg;
    th_config(&cfg);
    cfg.rcvbuf = 4096;
    struct th_conn c;
    th_conn_open(&c, &cfg, 1460, 65535);
    static uint8_t data[1460];
    memset(data, 'z', sizeof data);
    /* Our SYN-ACK offered 4096: 1460 + 1460 + 1176 fit, 284 more do not. */
    peer(&c, SYNACK_ACK, c.rcv, c.snd, 65535, data, 1460);
    peer(&c, SYNACK_ACK, c.rcv + 1460, c.snd, 65535, data, 1460);
    while (th_take(&c.h, &(struct th_out){0})) { /* their ACKs */
    }
    peer(&c, SYNACK_ACK | SYNACK_FIN, c.rcv + 2920, c.snd, 65535, data, 1460);
    struct th_out a = th_expect(&c.h, SYNACK_ACK, c.snd, c.rcv + 4096, 0);
    assert_int_equal(a.win, 0);
    assert_int_equal(th_state_of(&c.h, TH_PEER_PORT), SYNACK_ESTABLISHED); /* FIN was cut */
    th_free(&c.h);
}

/* With the window closed, a bare FIN at RCV.NXT is still taken (as Linux). */
static void bare_fin_into_zero_window(void **state)
{
    (void)state;
    struct synack_config cfg;
    th_config(&cfg);
    cfg.rcvbuf = 1024;
    struct th_conn c;
    th_conn_open(&c, &cfg, 1460, 65535);
    static uint8_t data[1024];
    peer(&c, SYNACK_ACK | SYNACK_PSH, c.rcv, c.snd, 65535, data, 1024);
    struct th_out a = th_expect(&c.h, SYNACK_ACK, c.snd, c.rcv + 1024, 0);
    assert_int_equal(a.win, 0);
    peer(&c, SYNACK_ACK | SYNACK_FIN, c.rcv + 1024, c.snd, 65535, NULL, 0);
    th_expect(&c.h, SYNACK_ACK, c.snd, c.rcv + 1025, 0);
    assert_int_equal(th_state_of(&c.h, TH_PEER_PORT), SYNACK_CLOSE_WAIT);
    th_free(&c.h);
}

/* Linux tcp_acceptable_seq: a pure ACK never carries a SEQ past the peer's window, where a
 * zero window would make the peer drop it (and its acknowledgment). */
static void ack_seq_within_peer_window(void **state)
{
    (void)state;
    struct th_conn c;
    th_conn_open(&c, NULL, 1460, 65535);
    uint8_t data[1000];
    memset(data, 'a', sizeof data);
    assert_int_equal(synack_send(c.h.stack, c.fd, data, sizeof data), 1000);
    th_poll(&c.h);
    th_expect(&c.h, SYNACK_ACK | SYNACK_PSH, c.snd, c.rcv, 1000);
    /* The peer sends data, acknowledges nothing and closes its window. */
    peer(&c, SYNACK_ACK | SYNACK_PSH, c.rcv, c.snd, 0, "hi", 2);
    th_advance(&c.h, SYNACK_MS(1));
    th_expect(&c.h, SYNACK_ACK, c.snd, c.rcv + 2, 0); /* SEQ = SND.UNA + 0, not snd_max */
    th_free(&c.h);
}

/* A peer that keeps a zero window while answering is probed by our retransmissions for
 * as long as it answers (Linux tcp_retransmit_timer); silence for rto_max ends it. */
static void zero_window_retransmissions_are_probes(void **state)
{
    (void)state;
    struct th_conn c;
    th_conn_open(&c, NULL, 1460, 65535);
    assert_int_equal(synack_send(c.h.stack, c.fd, "payload", 7), 7);
    th_poll(&c.h);
    th_expect(&c.h, SYNACK_ACK | SYNACK_PSH, c.snd, c.rcv, 7);
    peer(&c, SYNACK_ACK, c.rcv, c.snd, 0, NULL, 0); /* window shrunk to zero */
    for (int i = 0; i < 20; i++) {
        th_run_next(&c.h, SYNACK_SEC(1000));
        struct th_out o = {0};
        assert_true(th_take(&c.h, &o));
        assert_int_equal(o.seq, c.snd);
        while (th_take(&c.h, &o)) {
        }
        peer(&c, SYNACK_ACK, c.rcv, c.snd, 0, NULL, 0);
    }
    assert_int_equal(th_state_of(&c.h, TH_PEER_PORT), SYNACK_ESTABLISHED);
    /* Now the peer is silent: after rto_max without an answer, ETIMEDOUT. */
    synack_time_t last = c.h.now;
    while (th_state_of(&c.h, TH_PEER_PORT) == SYNACK_ESTABLISHED &&
           c.h.now - last < SYNACK_SEC(1000))
        th_run_next(&c.h, SYNACK_SEC(1000));
    assert_int_equal(th_state_of(&c.h, TH_PEER_PORT), SYNACK_CLOSED);
    assert_true(c.h.now - last > SYNACK_SEC(120));
    assert_true(c.h.now - last <= SYNACK_SEC(240));
    char b[4];
    assert_int_equal(synack_recv(c.h.stack, c.fd, b, sizeof b), -ETIMEDOUT);
    th_free(&c.h);
}

/* Answers to unacceptable segments without data: one per 500 ms per connection, each
 * skipped one counted by reason; segments with data are always answered. */
static void answers_to_unacceptable_segments_rate_limited(void **state)
{
    (void)state;
    struct th_conn c;
    th_conn_open(&c, NULL, 1460, 65535);
    for (int i = 0; i < 5; i++) /* pure ACKs far out of the window */
        peer(&c, SYNACK_ACK, c.rcv + 1000000, c.snd, 65535, NULL, 0);
    th_expect(&c.h, SYNACK_ACK, c.snd, c.rcv, 0);
    th_expect_none(&c.h);
    assert_int_equal(counter(&c, SYNACK_CTR_TCP_OUT_OF_WINDOW), 5);
    assert_int_equal(counter(&c, SYNACK_CTR_TCP_ACK_SKIPPED_SEQ), 4);
    for (int i = 0; i < 3; i++) /* old data (a lost ACK's retransmission): always answered */
        peer(&c, SYNACK_ACK, c.rcv - 100, c.snd, 65535, "data", 4);
    for (int i = 0; i < 3; i++)
        th_expect(&c.h, SYNACK_ACK, c.snd, c.rcv, 0);
    th_expect_none(&c.h);
    /* Data more than a receive buffer away no correct peer sends (a blind attacker's random
     * sequence numbers): on the rate-limited clock. */
    peer(&c, SYNACK_ACK, c.rcv + 1000000, c.snd, 65535, "data", 4);
    th_expect_none(&c.h);
    assert_int_equal(counter(&c, SYNACK_CTR_TCP_ACK_SKIPPED_SEQ), 5);
    for (int i = 0; i < 3; i++) /* ACKs of data never sent: the same clock */
        peer(&c, SYNACK_ACK, c.rcv, c.snd + 50, 65535, NULL, 0);
    th_expect_none(&c.h);
    assert_int_equal(counter(&c, SYNACK_CTR_TCP_BAD_ACK), 3);
    assert_int_equal(counter(&c, SYNACK_CTR_TCP_ACK_SKIPPED_UNSENT), 3);
    th_advance(&c.h, SYNACK_MS(500));
    peer(&c, SYNACK_ACK, c.rcv, c.snd + 50, 65535, NULL, 0);
    th_expect(&c.h, SYNACK_ACK, c.snd, c.rcv, 0);
    peer(&c, SYNACK_ACK, c.rcv + 1000000, c.snd, 65535, NULL, 0);
    th_expect_none(&c.h);
    assert_int_equal(counter(&c, SYNACK_CTR_TCP_ACK_SKIPPED_SEQ), 6);
    th_free(&c.h);
}

/* Timestamps rejected by PAWS are answered on the same clock. */
static void paws_answers_rate_limited(void **state)
{
    (void)state;
    struct th h;
    th_init(&h, NULL);
    int lfd = th_listen(&h, 4);
    th_inject(&h, &(struct th_seg){.flags = SYNACK_SYN,
                                   .seq = PEER_ISS,
                                   .win = 65535,
                                   .mss = 1460,
                                   .wscale = TH_NO_WS,
                                   .has_ts = true,
                                   .ts_val = 1000});
    struct th_out sa = {0};
    assert_true(th_take(&h, &sa));
    th_inject(&h, &(struct th_seg){.flags = SYNACK_ACK,
                                   .seq = PEER_ISS + 1,
                                   .ack = sa.seq + 1,
                                   .win = 65535,
                                   .has_ts = true,
                                   .ts_val = 1001,
                                   .ts_ecr = sa.ts_val});
    assert_true(synack_accept(h.stack, lfd, NULL) >= 0);
    for (int i = 0; i < 4; i++)
        th_inject(&h, &(struct th_seg){.flags = SYNACK_ACK,
                                       .seq = PEER_ISS + 1,
                                       .ack = sa.seq + 1,
                                       .win = 65535,
                                       .has_ts = true,
                                       .ts_val = 500});
    th_expect(&h, SYNACK_ACK, sa.seq + 1, PEER_ISS + 1, 0);
    th_expect_none(&h);
    assert_int_equal(synack_stack_counter(h.stack, SYNACK_CTR_TCP_PAWS), 4);
    assert_int_equal(synack_stack_counter(h.stack, SYNACK_CTR_TCP_ACK_SKIPPED_PAWS), 3);
    th_free(&h);
}

/* The stack-wide challenge ACK budget (RFC 5961 7): with challenge_ack_limit 2, each second
 * allows a number drawn from [1, 2]. */
static void challenge_acks_limited_stack_wide(void **state)
{
    (void)state;
    struct synack_config cfg;
    th_config(&cfg);
    cfg.challenge_ack_interval = 0; /* no per-connection limit: only the global one */
    cfg.challenge_ack_limit = 2;
    struct th_conn c;
    th_conn_open(&c, &cfg, 1460, 65535);
    for (int second = 0; second < 3; second++) {
        for (int i = 0; i < 5; i++) /* RSTs in the window, not at RCV.NXT */
            peer(&c, SYNACK_RST, c.rcv + 10, 0, 0, NULL, 0);
        unsigned sent = 0;
        struct th_out o;
        while (th_take(&c.h, &o)) {
            assert_int_equal(o.flags, SYNACK_ACK);
            sent++;
        }
        assert_true(sent >= 1 && sent <= 2);
        th_advance(&c.h, SYNACK_SEC(1));
    }
    assert_int_equal(counter(&c, SYNACK_CTR_TCP_CHALLENGE_ACK) +
                         counter(&c, SYNACK_CTR_TCP_CHALLENGE_GLOBAL_LIMITED),
                     15);
    assert_int_equal(th_state_of(&c.h, TH_PEER_PORT), SYNACK_ESTABLISHED);
    th_free(&c.h);
}

/* Values that would break the wire are refused with a reason; a socket's window scale is
 * clamped to what its buffer allows. */
static void config_values_that_break_the_wire(void **state)
{
    (void)state;
    struct synack_config cfg;
    th_config(&cfg);
    const char *why = NULL;
    assert_int_equal(synack_config_check(&cfg, &why), 0);
    assert_null(why);
    cfg.mss = 65535;
    assert_int_equal(synack_config_check(&cfg, &why), -EINVAL);
    assert_non_null(strstr(why, "mss"));
    struct synack_link link = {NULL, NULL};
    assert_null(synack_stack_new(&cfg, &link));
    cfg.mss = 65495;
    assert_int_equal(synack_config_check(&cfg, NULL), 0);
    th_config(&cfg);
    cfg.rcvbuf = 4096;
    cfg.window_scale = 14;
    assert_int_equal(synack_config_check(&cfg, &why), -EINVAL);
    assert_non_null(strstr(why, "window_scale"));
    cfg.window_scale = 10; /* 4096 >> 10 = 4 units */
    assert_int_equal(synack_config_check(&cfg, NULL), 0);
    cfg.rcvbuf = 255;
    cfg.window_scale = -1;
    assert_int_equal(synack_config_check(&cfg, &why), -EINVAL);
    assert_non_null(strstr(why, "rcvbuf"));

    /* SO_RCVBUF 512 under a configured shift of 8: the SYN announces 7 (512 >> 7 = 4). */
    th_config(&cfg);
    cfg.window_scale = 8;
    struct th h;
    th_init(&h, &cfg);
    int fd = synack_socket(h.stack);
    assert_int_equal(synack_setsockopt(h.stack, fd, SYNACK_SO_RCVBUF, 512), 0);
    assert_int_equal(synack_setsockopt(h.stack, fd, SYNACK_SO_RCVBUF, 255), -EINVAL);
    struct synack_endpoint r = {TH_PEER_ADDR, TH_PEER_PORT};
    assert_int_equal(synack_connect(h.stack, fd, &r), -EINPROGRESS);
    th_poll(&h);
    struct th_out syn = {0};
    assert_true(th_take(&h, &syn));
    assert_int_equal(syn.wscale, 7);
    assert_int_equal(syn.win, 512);
    th_free(&h);
}

/* config.h: connections that outlive their descriptor, TIME-WAIT included, count against
 * max_connections. */
static void time_wait_counts_against_max_connections(void **state)
{
    (void)state;
    struct synack_config cfg;
    th_config(&cfg);
    cfg.max_connections = 1;
    struct th h;
    th_init(&h, &cfg);
    uint32_t iss;
    uint16_t port;
    int fd = th_active_open(&h, PEER_ISS, &iss, &port);
    assert_int_equal(synack_close(h.stack, fd), 0);
    th_poll(&h);
    th_expect(&h, SYNACK_ACK | SYNACK_FIN, iss + 1, PEER_ISS + 1, 0);
    th_inject(&h, &(struct th_seg){.flags = SYNACK_ACK | SYNACK_FIN,
                                   .seq = PEER_ISS + 1,
                                   .ack = iss + 2,
                                   .win = 65535,
                                   .sport = TH_PEER_PORT,
                                   .dport = port});
    th_expect(&h, SYNACK_ACK, iss + 2, PEER_ISS + 2, 0);
    assert_int_equal(synack_stack_connection_count(h.stack), 1); /* TIME-WAIT */
    int fd2 = synack_socket(h.stack);
    struct synack_endpoint r = {TH_PEER_ADDR, TH_PEER_PORT + 1};
    assert_int_equal(synack_connect(h.stack, fd2, &r), -ENOBUFS);
    th_advance(&h, SYNACK_SEC(61)); /* TIME-WAIT over */
    assert_int_equal(synack_stack_connection_count(h.stack), 0);
    assert_int_equal(synack_connect(h.stack, fd2, &r), -EINPROGRESS);
    th_free(&h);
}

/* The SYN is timed from when it leaves, not from connect(): a socket call only knows the
 * last time the stack was given, 0 before the first poll (with a real clock, a "sample" of
 * the whole uptime made a 4-MiB echo over TUN sit out 40-second timeouts). */
static void syn_timed_from_when_it_leaves(void **state)
{
    (void)state;
    struct th h;
    th_init(&h, NULL);
    h.now = SYNACK_SEC(1000); /* the stack has not been polled yet: its clock says 0 */
    int fd = synack_socket(h.stack);
    struct synack_endpoint r = {TH_PEER_ADDR, TH_PEER_PORT};
    assert_int_equal(synack_connect(h.stack, fd, &r), -EINPROGRESS);
    th_poll(&h);
    struct th_out syn = {0};
    assert_true(th_take(&h, &syn));
    th_advance(&h, SYNACK_MS(10));
    th_inject(&h, &(struct th_seg){.flags = SYNACK_SYN | SYNACK_ACK,
                                   .seq = PEER_ISS,
                                   .ack = syn.seq + 1,
                                   .win = 65535,
                                   .mss = 1460,
                                   .wscale = TH_NO_WS,
                                   .dport = syn.sport});
    struct synack_conn_info info;
    assert_int_equal(synack_get_info(h.stack, fd, &info), 0);
    assert_int_equal(info.srtt, SYNACK_MS(10));
    assert_int_equal(info.rto, SYNACK_MS(210)); /* 10 ms + max(4 * 5 ms, rto_min), as Linux */
    th_free(&h);
}

/* A pure ACK whose SEQ is exactly our window's right edge (what a Linux peer sends once
 * its data filled the window) is taken, window update and all (Linux tcp_sequence). */
static void ack_at_right_edge_is_taken(void **state)
{
    (void)state;
    struct synack_config cfg;
    th_config(&cfg);
    cfg.rcvbuf = 4096;
    struct th_conn c;
    th_conn_open(&c, &cfg, 1460, 0); /* the peer's window is closed */
    assert_int_equal(synack_send(c.h.stack, c.fd, "waiting", 7), 7);
    th_poll(&c.h);
    th_expect_none(&c.h);
    peer(&c, SYNACK_ACK, c.rcv + 4096, c.snd, 1000, NULL, 0); /* SEQ = RCV.NXT + RCV.WND */
    th_expect(&c.h, SYNACK_ACK | SYNACK_PSH, c.snd, c.rcv, 7);
    th_expect_none(&c.h);
    assert_int_equal(counter(&c, SYNACK_CTR_TCP_OUT_OF_WINDOW), 0);
    th_free(&c.h);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(rto_resends_only_what_was_sent),
        cmocka_unit_test(go_back_n_stops_at_snd_max),
        cmocka_unit_test(small_window_does_not_wedge_the_sender),
        cmocka_unit_test(syn_ack_data_trimmed_to_window),
        cmocka_unit_test(text_past_the_window_is_cut),
        cmocka_unit_test(bare_fin_into_zero_window),
        cmocka_unit_test(ack_seq_within_peer_window),
        cmocka_unit_test(zero_window_retransmissions_are_probes),
        cmocka_unit_test(answers_to_unacceptable_segments_rate_limited),
        cmocka_unit_test(paws_answers_rate_limited),
        cmocka_unit_test(challenge_acks_limited_stack_wide),
        cmocka_unit_test(config_values_that_break_the_wire),
        cmocka_unit_test(time_wait_counts_against_max_connections),
        cmocka_unit_test(syn_timed_from_when_it_leaves),
        cmocka_unit_test(ack_at_right_edge_is_taken),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
