/* SPDX-License-Identifier: MIT */
/* Opening connections: passive, active, simultaneous; lost SYN; lost third ACK; refused
 * connections; resets for segments that match nothing (RFC 9293 3.5, 3.10.7). */
#include <errno.h>
#include <string.h>
#include "harness.h"
#include "tcp/isn.h"

#define PEER_ISS 1000u

static void passive_open_exact_segments(void **state)
{
    (void)state;
    struct th h;
    th_init(&h, NULL);
    int lfd = th_listen(&h, 8);
    th_inject(&h,
              &(struct th_seg){
                  .flags = SYNACK_SYN, .seq = PEER_ISS, .win = 65535, .mss = 1400, .wscale = 7});
    struct th_out sa = {0};
    assert_true(th_take(&h, &sa));
    /* <SEQ=ISS><ACK=RCV.NXT><CTL=SYN,ACK>, our MSS and window scale (covering rcvbuf_max, 6 MiB: 7, as Linux). */
    assert_int_equal(sa.flags, SYNACK_SYN | SYNACK_ACK);
    assert_int_equal(sa.ack, PEER_ISS + 1);
    assert_int_equal(sa.mss, 1460);
    assert_int_equal(sa.wscale, 7);
    assert_int_equal(sa.win, 65535);
    assert_int_equal(sa.src, TH_LOCAL_ADDR);
    assert_int_equal(sa.dst, TH_PEER_ADDR);
    assert_int_equal(sa.sport, TH_LOCAL_PORT);
    assert_int_equal(sa.dport, TH_PEER_PORT);
    th_expect_none(&h);
    assert_int_equal(th_state_of(&h, TH_PEER_PORT), SYNACK_SYN_RECEIVED);
    assert_int_equal(synack_accept(h.stack, lfd, NULL), -EAGAIN);
    assert_int_equal(synack_poll_events(h.stack, lfd), 0);
    th_inject(&h, &(struct th_seg){.flags = SYNACK_ACK,
                                   .seq = PEER_ISS + 1,
                                   .ack = sa.seq + 1,
                                   .win = 512,
                                   .wscale = TH_NO_WS});
    th_expect_none(&h);
    assert_int_equal(th_state_of(&h, TH_PEER_PORT), SYNACK_ESTABLISHED);
    assert_int_equal(synack_poll_events(h.stack, lfd), SYNACK_POLLIN);
    struct synack_endpoint peer;
    int fd = synack_accept(h.stack, lfd, &peer);
    assert_true(fd >= 0);
    assert_int_equal(peer.addr, TH_PEER_ADDR);
    assert_int_equal(peer.port, TH_PEER_PORT);
    struct synack_conn_info info;
    assert_int_equal(synack_get_info(h.stack, fd, &info), 0);
    assert_int_equal(info.state, SYNACK_ESTABLISHED);
    assert_int_equal(info.snd_mss, 1400);
    assert_int_equal(info.snd_wnd, 512u << 7);
    assert_int_equal(synack_poll_events(h.stack, fd), SYNACK_POLLOUT);
    struct synack_endpoint me;
    assert_int_equal(synack_getsockname(h.stack, fd, &me), 0);
    assert_int_equal(me.addr, TH_LOCAL_ADDR);
    assert_int_equal(me.port, TH_LOCAL_PORT);
    th_free(&h);
}

static void active_open_exact_segments(void **state)
{
    (void)state;
    struct th h;
    th_init(&h, NULL);
    int fd = synack_socket(h.stack);
    struct synack_endpoint r = {TH_PEER_ADDR, TH_PEER_PORT};
    assert_int_equal(synack_connect(h.stack, fd, &r), -EINPROGRESS);
    assert_int_equal(synack_connect(h.stack, fd, &r), -EALREADY);
    th_expect_none(&h); /* socket calls send nothing; the SYN leaves at poll */
    assert_true(synack_stack_next_deadline(h.stack) <= h.now); /* poll me now */
    th_poll(&h);
    struct th_out syn = {0};
    assert_true(th_take(&h, &syn));
    assert_int_equal(syn.flags, SYNACK_SYN);
    assert_int_equal(syn.mss, 1460);
    assert_int_equal(syn.wscale, 7);
    assert_int_equal(syn.win, 65535);
    assert_true(syn.sport >= 32768 && syn.sport <= 60999);
    assert_int_equal(synack_stack_next_deadline(h.stack), h.now + SYNACK_SEC(1));
    assert_int_equal(synack_send(h.stack, fd, "x", 1), -EAGAIN);
    th_inject(&h, &(struct th_seg){.flags = SYNACK_SYN | SYNACK_ACK,
                                   .seq = PEER_ISS,
                                   .ack = syn.seq + 1,
                                   .win = 1000,
                                   .mss = 1200,
                                   .wscale = TH_NO_WS,
                                   .dport = syn.sport});
    /* RFC 9293 3.10.7.3: <SEQ=SND.NXT><ACK=RCV.NXT><CTL=ACK>. Without the peer's window
     * scale option we do not scale either: window 65535 (unscaled). */
    struct th_out a = th_expect(&h, SYNACK_ACK, syn.seq + 1, PEER_ISS + 1, 0);
    assert_int_equal(a.win, 65535);
    th_expect_none(&h);
    assert_int_equal(th_state_of(&h, TH_PEER_PORT), SYNACK_ESTABLISHED);
    assert_int_equal(synack_poll_events(h.stack, fd), SYNACK_POLLOUT);
    assert_int_equal(synack_get_error(h.stack, fd), 0);
    struct synack_conn_info info;
    assert_int_equal(synack_get_info(h.stack, fd, &info), 0);
    assert_int_equal(info.snd_mss, 1200);
    assert_int_equal(info.snd_wnd, 1000);
    assert_int_equal(synack_stack_next_deadline(h.stack), SYNACK_TIME_NEVER);
    th_free(&h);
}

static void simultaneous_open(void **state)
{
    (void)state;
    struct th h;
    th_init(&h, NULL);
    int fd = synack_socket(h.stack);
    struct synack_endpoint l = {0, 5555};
    assert_int_equal(synack_bind(h.stack, fd, &l), 0);
    struct synack_endpoint r = {TH_PEER_ADDR, TH_PEER_PORT};
    assert_int_equal(synack_connect(h.stack, fd, &r), -EINPROGRESS);
    th_poll(&h);
    struct th_out syn = {0};
    assert_true(th_take(&h, &syn));
    assert_int_equal(syn.flags, SYNACK_SYN);
    /* The peer's SYN crosses ours: SYN-RECEIVED, <SEQ=ISS><ACK=RCV.NXT><CTL=SYN,ACK>. */
    th_inject(&h, &(struct th_seg){.flags = SYNACK_SYN,
                                   .seq = PEER_ISS,
                                   .win = 65535,
                                   .mss = 1460,
                                   .wscale = 7,
                                   .sack_permitted = true,
                                   .dport = 5555});
    struct th_out sa = th_expect(&h, SYNACK_SYN | SYNACK_ACK, syn.seq, PEER_ISS + 1, 0);
    assert_int_equal(sa.mss, 1460);
    assert_int_equal(th_state_of(&h, TH_PEER_PORT), SYNACK_SYN_RECEIVED);
    assert_true(th_saw_transition(&h, TH_PEER_PORT, SYNACK_SYN_SENT, SYNACK_SYN_RECEIVED));
    /* The peer's SYN-ACK acknowledges our SYN: ESTABLISHED; answered with an ACK that
     * reports its SYN as a duplicate (Linux: D-SACK of [ISN, ISN+1), RFC 2883). */
    th_inject(&h, &(struct th_seg){.flags = SYNACK_SYN | SYNACK_ACK,
                                   .seq = PEER_ISS,
                                   .ack = syn.seq + 1,
                                   .win = 100,
                                   .wscale = 7,
                                   .mss = 1460,
                                   .sack_permitted = true,
                                   .dport = 5555});
    struct th_out a = th_expect(&h, SYNACK_ACK, syn.seq + 1, PEER_ISS + 1, 0);
    assert_int_equal(a.sack_count, 1);
    assert_int_equal(a.sack[0][0], PEER_ISS);
    assert_int_equal(a.sack[0][1], PEER_ISS + 1);
    th_expect_none(&h);
    assert_int_equal(th_state_of(&h, TH_PEER_PORT), SYNACK_ESTABLISHED);
    assert_int_equal(synack_send(h.stack, fd, "hi", 2), 2);
    th_poll(&h);
    struct th_out d = th_expect(&h, SYNACK_ACK | SYNACK_PSH, syn.seq + 1, PEER_ISS + 1, 2);
    assert_memory_equal(d.payload, "hi", 2);
    th_free(&h);
}

static void lost_syn_backs_off_then_times_out(void **state)
{
    (void)state;
    struct th h;
    th_init(&h, NULL);
    int fd;
    synack_time_t t0 = h.now;
    struct th_out syn = th_connect_syn(&h, &fd);
    /* RFC 6298 5.5 + Linux tcp_syn_retries 6: retransmissions at 1, 3, 7, 15, 31, 63 s. */
    static const unsigned at[] = {1, 3, 7, 15, 31, 63};
    for (unsigned i = 0; i < 6; i++) {
        th_run_next(&h, SYNACK_SEC(200));
        assert_int_equal(h.now - t0, SYNACK_SEC(at[i]));
        struct th_out o = th_expect(&h, SYNACK_SYN, syn.seq, 0, 0);
        assert_int_equal(o.sport, syn.sport);
        th_expect_none(&h);
        assert_int_equal(synack_get_error(h.stack, fd), 0);
    }
    /* Gives up at 127 s: ETIMEDOUT, nothing sent. */
    th_run_next(&h, SYNACK_SEC(200));
    assert_int_equal(h.now - t0, SYNACK_SEC(127));
    th_expect_none(&h);
    assert_int_equal(th_state_of(&h, TH_PEER_PORT), SYNACK_CLOSED);
    assert_true(synack_poll_events(h.stack, fd) & SYNACK_POLLERR);
    assert_int_equal(synack_get_error(h.stack, fd), -ETIMEDOUT);
    assert_int_equal(synack_get_error(h.stack, fd), 0);
    assert_int_equal(synack_stack_next_deadline(h.stack), SYNACK_TIME_NEVER);
    assert_int_equal(synack_stack_counter(h.stack, SYNACK_CTR_TCP_CONN_DROPPED), 1);
    assert_int_equal(synack_close(h.stack, fd), 0);
    th_free(&h);
}

static void lost_synack_answered_with_syn_ack(void **state)
{
    (void)state;
    struct th h;
    th_init(&h, NULL);
    th_listen(&h, 8);
    struct th_out sa = th_syn_in(&h, PEER_ISS);
    th_advance(&h, SYNACK_MS(500));
    /* The peer's SYN retransmission shows our SYN-ACK was lost: resend it at once. */
    th_inject(&h,
              &(struct th_seg){
                  .flags = SYNACK_SYN, .seq = PEER_ISS, .win = 65535, .mss = 1460, .wscale = 7});
    th_expect(&h, SYNACK_SYN | SYNACK_ACK, sa.seq, PEER_ISS + 1, 0);
    th_expect_none(&h);
    th_free(&h);
}

/* The lost third ACK: the server retransmits SYN-ACK at 1, 3, 7 s...; the client's data
 * (carrying the ACK) completes the handshake and its data is delivered. */
static void lost_third_ack_data_completes_handshake(void **state)
{
    (void)state;
    struct th h;
    th_init(&h, NULL);
    int lfd = th_listen(&h, 8);
    synack_time_t t0 = h.now;
    struct th_out sa = th_syn_in(&h, PEER_ISS);
    th_run_next(&h, SYNACK_SEC(10));
    assert_int_equal(h.now - t0, SYNACK_SEC(1));
    th_expect(&h, SYNACK_SYN | SYNACK_ACK, sa.seq, PEER_ISS + 1, 0);
    th_run_next(&h, SYNACK_SEC(10));
    assert_int_equal(h.now - t0, SYNACK_SEC(3));
    th_expect(&h, SYNACK_SYN | SYNACK_ACK, sa.seq, PEER_ISS + 1, 0);
    th_advance(&h, SYNACK_SEC(1));
    th_inject(&h, &(struct th_seg){.flags = SYNACK_ACK | SYNACK_PSH,
                                   .seq = PEER_ISS + 1,
                                   .ack = sa.seq + 1,
                                   .win = 512,
                                   .data = "hello",
                                   .len = 5,
                                   .wscale = TH_NO_WS});
    th_expect(&h, SYNACK_ACK, sa.seq + 1, PEER_ISS + 6, 0);
    th_expect_none(&h);
    assert_int_equal(th_state_of(&h, TH_PEER_PORT), SYNACK_ESTABLISHED);
    int fd = synack_accept(h.stack, lfd, NULL);
    assert_true(fd >= 0);
    char buf[16];
    assert_int_equal(synack_recv(h.stack, fd, buf, sizeof buf), 5);
    assert_memory_equal(buf, "hello", 5);
    /* RFC 6298 5.7: the handshake was retransmitted and not measured: RTO is 3 s. */
    struct synack_conn_info info;
    assert_int_equal(synack_get_info(h.stack, fd, &info), 0);
    assert_int_equal(info.rto, SYNACK_SEC(3));
    assert_int_equal(synack_stack_next_deadline(h.stack), SYNACK_TIME_NEVER);
    th_free(&h);
}

/* After 5 SYN-ACK retries (1, 3, 7, 15, 31 s) the half-open connection is dropped at 63 s;
 * the client's late data then draws <SEQ=SEG.ACK><CTL=RST> from the listener. */
static void lost_third_ack_server_gives_up_then_resets(void **state)
{
    (void)state;
    struct th h;
    th_init(&h, NULL);
    int lfd = th_listen(&h, 8);
    synack_time_t t0 = h.now;
    struct th_out sa = th_syn_in(&h, PEER_ISS);
    static const unsigned at[] = {1, 3, 7, 15, 31};
    for (unsigned i = 0; i < 5; i++) {
        th_run_next(&h, SYNACK_SEC(100));
        assert_int_equal(h.now - t0, SYNACK_SEC(at[i]));
        th_expect(&h, SYNACK_SYN | SYNACK_ACK, sa.seq, PEER_ISS + 1, 0);
    }
    th_run_next(&h, SYNACK_SEC(100));
    assert_int_equal(h.now - t0, SYNACK_SEC(63));
    th_expect_none(&h);
    assert_true(th_saw_transition(&h, TH_PEER_PORT, SYNACK_SYN_RECEIVED, SYNACK_CLOSED));
    assert_int_equal(synack_stack_connection_count(h.stack), 0);
    th_advance(&h, SYNACK_SEC(10));
    th_inject(&h, &(struct th_seg){.flags = SYNACK_ACK | SYNACK_PSH,
                                   .seq = PEER_ISS + 1,
                                   .ack = sa.seq + 1,
                                   .win = 512,
                                   .data = "late",
                                   .len = 4,
                                   .wscale = TH_NO_WS});
    struct th_out rst = th_expect(&h, SYNACK_RST, sa.seq + 1, 0, 0);
    assert_int_equal(rst.win, 0);
    th_expect_none(&h);
    assert_int_equal(synack_accept(h.stack, lfd, NULL), -EAGAIN);
    th_free(&h);
}

static void connect_to_closed_port_refused(void **state)
{
    (void)state;
    struct th h;
    th_init(&h, NULL);
    int fd;
    struct th_out syn = th_connect_syn(&h, &fd);
    /* RFC 9293 3.10.7.3: a RST without ACK, or with an unacceptable ACK, is ignored. */
    th_inject(&h, &(struct th_seg){.flags = SYNACK_RST, .seq = 0, .dport = syn.sport});
    th_inject(&h, &(struct th_seg){
                      .flags = SYNACK_RST | SYNACK_ACK, .ack = syn.seq + 2, .dport = syn.sport});
    th_expect_none(&h);
    assert_int_equal(synack_get_error(h.stack, fd), 0);
    assert_int_equal(synack_stack_counter(h.stack, SYNACK_CTR_TCP_RST_IGNORED), 1);
    /* An unacceptable ACK without RST draws <SEQ=SEG.ACK><CTL=RST>. */
    th_inject(&h, &(struct th_seg){
                      .flags = SYNACK_ACK, .seq = 5, .ack = syn.seq + 7, .dport = syn.sport});
    th_expect(&h, SYNACK_RST, syn.seq + 7, 0, 0);
    /* The kernel's answer to a SYN on a closed port: RST,ACK with ACK = ISS + 1. */
    th_inject(&h, &(struct th_seg){.flags = SYNACK_RST | SYNACK_ACK,
                                   .seq = 0,
                                   .ack = syn.seq + 1,
                                   .dport = syn.sport});
    th_expect_none(&h);
    assert_int_equal(th_state_of(&h, TH_PEER_PORT), SYNACK_CLOSED);
    assert_int_equal(synack_get_error(h.stack, fd), -ECONNREFUSED);
    assert_int_equal(synack_send(h.stack, fd, "x", 1), -EPIPE);
    assert_int_equal(synack_stack_next_deadline(h.stack), SYNACK_TIME_NEVER);
    th_free(&h);
}

static void connect_refused_reported_by_recv(void **state)
{
    (void)state;
    struct th h;
    th_init(&h, NULL);
    int fd;
    struct th_out syn = th_connect_syn(&h, &fd);
    th_inject(&h, &(struct th_seg){
                      .flags = SYNACK_RST | SYNACK_ACK, .ack = syn.seq + 1, .dport = syn.sport});
    char b[4];
    assert_int_equal(synack_recv(h.stack, fd, b, sizeof b), -ECONNREFUSED);
    assert_int_equal(synack_recv(h.stack, fd, b, sizeof b), 0);
    th_free(&h);
}

/* RFC 9293 3.10.7.1: segments for no connection. */
static void closed_port_resets(void **state)
{
    (void)state;
    struct th h;
    th_init(&h, NULL);
    /* No ACK: <SEQ=0><ACK=SEG.SEQ+SEG.LEN><CTL=RST,ACK>; SYN and FIN count in SEG.LEN. */
    th_inject(&h, &(struct th_seg){.flags = SYNACK_SYN, .seq = 7, .win = 100});
    th_expect(&h, SYNACK_RST | SYNACK_ACK, 0, 8, 0);
    th_inject(&h, &(struct th_seg){.flags = SYNACK_FIN, .seq = 100, .data = "abc", .len = 3});
    th_expect(&h, SYNACK_RST | SYNACK_ACK, 0, 104, 0);
    /* ACK: <SEQ=SEG.ACK><CTL=RST>. */
    th_inject(&h, &(struct th_seg){.flags = SYNACK_ACK, .seq = 9, .ack = 0xdeadbeef});
    th_expect(&h, SYNACK_RST, 0xdeadbeef, 0, 0);
    /* A RST is never answered. */
    th_inject(&h, &(struct th_seg){.flags = SYNACK_RST, .seq = 9});
    th_inject(&h, &(struct th_seg){.flags = SYNACK_RST | SYNACK_ACK, .seq = 9, .ack = 4});
    th_expect_none(&h);
    assert_int_equal(synack_stack_counter(h.stack, SYNACK_CTR_TCP_NO_CONNECTION), 5);
    assert_int_equal(synack_stack_counter(h.stack, SYNACK_CTR_TCP_RST_SENT), 3);
    th_free(&h);
}

static void listen_state_rules(void **state)
{
    (void)state;
    struct th h;
    th_init(&h, NULL);
    th_listen(&h, 8);
    /* RFC 9293 3.10.7.2: RST ignored; ACK draws <SEQ=SEG.ACK><CTL=RST>; other dropped. */
    th_inject(&h, &(struct th_seg){.flags = SYNACK_RST, .seq = 1});
    th_expect_none(&h);
    th_inject(&h, &(struct th_seg){.flags = SYNACK_ACK, .seq = 1, .ack = 77});
    th_expect(&h, SYNACK_RST, 77, 0, 0);
    th_inject(&h, &(struct th_seg){.flags = SYNACK_FIN, .seq = 1});
    th_expect_none(&h);
    assert_int_equal(synack_stack_connection_count(h.stack), 0);
    th_free(&h);
}

static void rst_in_syn_received_returns_to_listen(void **state)
{
    (void)state;
    struct th h;
    th_init(&h, NULL);
    int lfd = th_listen(&h, 8);
    th_inject(&h, &(struct th_seg){.flags = SYNACK_SYN, .seq = PEER_ISS, .win = 65535});
    struct th_out sa = {0};
    assert_true(th_take(&h, &sa));
    assert_int_equal(sa.mss, 1460);
    assert_int_equal(sa.wscale, -1); /* the peer sent no window scale: neither do we */
    /* A RST not at RCV.NXT draws a challenge ACK (RFC 5961 3.2). */
    th_inject(&h, &(struct th_seg){.flags = SYNACK_RST, .seq = PEER_ISS + 100});
    th_expect(&h, SYNACK_ACK, sa.seq + 1, PEER_ISS + 1, 0);
    th_inject(&h, &(struct th_seg){.flags = SYNACK_RST, .seq = PEER_ISS + 1});
    th_expect_none(&h);
    assert_true(th_saw_transition(&h, TH_PEER_PORT, SYNACK_SYN_RECEIVED, SYNACK_CLOSED));
    assert_int_equal(synack_stack_connection_count(h.stack), 0);
    assert_int_equal(synack_stack_next_deadline(h.stack), SYNACK_TIME_NEVER);
    /* The listener still takes new connections. */
    int fd = th_passive_open(&h, lfd, 5000, NULL);
    assert_true(fd >= 0);
    th_free(&h);
}

static void listen_backlog_bounds_queue(void **state)
{
    (void)state;
    struct synack_config cfg;
    th_config(&cfg);
    cfg.syncookies = 0; /* without cookies a full SYN queue drops (test_syncookies.c: with) */
    struct th h;
    th_init(&h, &cfg);
    th_listen(&h, 2);
    for (uint16_t i = 0; i < 3; i++)
        th_inject(&h, &(struct th_seg){.flags = SYNACK_SYN,
                                       .seq = PEER_ISS,
                                       .win = 1000,
                                       .sport = (uint16_t)(1000 + i)});
    assert_int_equal(th_pending(&h), 2);
    assert_int_equal(synack_stack_counter(h.stack, SYNACK_CTR_TCP_LISTEN_OVERFLOW), 1);
    th_free(&h);
}

/* Our ISS close to 2^32: the handshake and data cross the wrap. */
static void sequence_wraparound(void **state)
{
    (void)state;
    struct th h;
    th_init(&h, NULL);
    int lfd = th_listen(&h, 8);
    uint32_t peer_iss = 0xfffffff0u; /* peer's sequence space wraps after 15 bytes */
    uint32_t our_iss;
    int fd = th_passive_open(&h, lfd, peer_iss, &our_iss);
    char data[40];
    for (int i = 0; i < 40; i++)
        data[i] = (char)i;
    th_inject(&h, &(struct th_seg){.flags = SYNACK_ACK,
                                   .seq = peer_iss + 1,
                                   .ack = our_iss + 1,
                                   .win = 1024,
                                   .data = data,
                                   .len = 40});
    th_expect(&h, SYNACK_ACK, our_iss + 1, peer_iss + 41, 0);
    /* Old data from before the wrap is a duplicate: re-ACK, nothing delivered twice. */
    th_inject(&h, &(struct th_seg){.flags = SYNACK_ACK,
                                   .seq = peer_iss + 1,
                                   .ack = our_iss + 1,
                                   .win = 1024,
                                   .data = data,
                                   .len = 10});
    th_expect(&h, SYNACK_ACK, our_iss + 1, peer_iss + 41, 0);
    char buf[64];
    assert_int_equal(synack_recv(h.stack, fd, buf, sizeof buf), 40);
    assert_memory_equal(buf, data, 40);
    assert_int_equal((uint32_t)(peer_iss + 41), 25u);
    th_free(&h);
}

/* Our own ISS just below 2^32 (the clock part of RFC 6528 chosen so): SYN, data and FIN
 * all cross the wrap. */
static void our_sequence_wraps(void **state)
{
    (void)state;
    struct th h;
    th_init(&h, NULL);
    struct synack_endpoint local = {TH_LOCAL_ADDR, 7000}, remote = {TH_PEER_ADDR, TH_PEER_PORT};
    uint32_t f = sk_isn(h.cfg.secret, &local, &remote, 0);
    /* ISN = now / 4 us + F: pick now so that ISN = 2^32 - 10. */
    uint64_t ticks = (uint64_t)(uint32_t)(0xfffffff6u - f) + (1ull << 32);
    h.now = ticks * 4000;
    th_poll(&h);
    int fd = synack_socket(h.stack);
    assert_int_equal(synack_bind(h.stack, fd, &local), 0);
    assert_int_equal(synack_connect(h.stack, fd, &remote), -EINPROGRESS);
    th_poll(&h);
    struct th_out syn = {0};
    assert_true(th_take(&h, &syn));
    assert_int_equal(syn.seq, 0xfffffff6u);
    th_inject(&h, &(struct th_seg){.flags = SYNACK_SYN | SYNACK_ACK,
                                   .seq = PEER_ISS,
                                   .ack = 0xfffffff7u,
                                   .win = 5000,
                                   .dport = 7000});
    th_expect(&h, SYNACK_ACK, 0xfffffff7u, PEER_ISS + 1, 0);
    char data[30];
    memset(data, 'w', sizeof data);
    assert_int_equal(synack_send(h.stack, fd, data, sizeof data), 30);
    assert_int_equal(synack_shutdown(h.stack, fd, SYNACK_SHUT_WR), 0);
    th_poll(&h);
    /* 30 bytes from 2^32 - 9: the segment spans the wrap; the FIN sits at 21. */
    th_expect(&h, SYNACK_ACK | SYNACK_PSH | SYNACK_FIN, 0xfffffff7u, PEER_ISS + 1, 30);
    th_inject(
        &h, &(struct th_seg){
                .flags = SYNACK_ACK, .seq = PEER_ISS + 1, .ack = 22u, .win = 5000, .dport = 7000});
    assert_int_equal(th_state_of(&h, TH_PEER_PORT), SYNACK_FIN_WAIT_2);
    struct synack_conn_info info;
    assert_int_equal(synack_get_info(h.stack, fd, &info), 0);
    assert_int_equal(info.bytes_acked, 30);
    assert_int_equal(info.send_queued, 0);
    assert_int_equal(synack_stack_next_deadline(h.stack), SYNACK_TIME_NEVER);
    th_free(&h);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(passive_open_exact_segments),
        cmocka_unit_test(active_open_exact_segments),
        cmocka_unit_test(simultaneous_open),
        cmocka_unit_test(lost_syn_backs_off_then_times_out),
        cmocka_unit_test(lost_synack_answered_with_syn_ack),
        cmocka_unit_test(lost_third_ack_data_completes_handshake),
        cmocka_unit_test(lost_third_ack_server_gives_up_then_resets),
        cmocka_unit_test(connect_to_closed_port_refused),
        cmocka_unit_test(connect_refused_reported_by_recv),
        cmocka_unit_test(closed_port_resets),
        cmocka_unit_test(listen_state_rules),
        cmocka_unit_test(rst_in_syn_received_returns_to_listen),
        cmocka_unit_test(listen_backlog_bounds_queue),
        cmocka_unit_test(sequence_wraparound),
        cmocka_unit_test(our_sequence_wraps),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
