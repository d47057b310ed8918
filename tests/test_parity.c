/* SPDX-License-Identifier: MIT */
/* Linux parity (issue 13): recv flags (MSG_PEEK, MSG_TRUNC), the engine differences the
 * FreeBSD tcp-testsuite showed and TCP_USER_TIMEOUT (RFC 5482), each asserted segment by
 * segment in virtual time. */
#include <errno.h>
#include <string.h>
#include "harness.h"

static void fill(uint8_t *b, size_t n, unsigned seed)
{
    for (size_t i = 0; i < n; i++)
        b[i] = (uint8_t)(i * 13 + seed);
}

static void data_in(struct th_conn *c, uint32_t off, const void *data, uint32_t len, uint8_t fl)
{
    th_inject(&c->h, &(struct th_seg){.flags = (uint8_t)(SYNACK_ACK | fl),
                                      .seq = c->rcv + off,
                                      .ack = c->snd,
                                      .win = 65535,
                                      .data = data,
                                      .len = len});
}

/* recv(MSG_PEEK) copies without taking: the next read sees the same bytes (Linux
 * tcp_recvmsg_locked with peek_seq). */
static void peek_leaves_data_queued(void **state)
{
    (void)state;
    struct th_conn c;
    th_conn_open(&c, NULL, 1460, 65535);
    uint8_t data[300], b[400];
    fill(data, sizeof data, 1);
    data_in(&c, 0, data, 300, SYNACK_PSH);
    th_expect(&c.h, SYNACK_ACK, c.snd, c.rcv + 300, 0); /* quick-ACK mode */
    struct synack_stack *s = c.h.stack;
    assert_int_equal(synack_recv_flags(s, c.fd, b, 100, SYNACK_MSG_PEEK), 100);
    assert_memory_equal(b, data, 100);
    assert_int_equal(synack_recv_flags(s, c.fd, b, sizeof b, SYNACK_MSG_PEEK | SYNACK_MSG_DONTWAIT),
                     300);
    assert_memory_equal(b, data, 300);
    struct synack_conn_info info;
    synack_get_info(s, c.fd, &info);
    assert_int_equal(info.recv_queued, 300);
    assert_true(synack_poll_events(s, c.fd) & SYNACK_POLLIN);
    /* Reading takes them, from the start. */
    memset(b, 0, sizeof b);
    assert_int_equal(synack_recv(s, c.fd, b, 50), 50);
    assert_memory_equal(b, data, 50);
    assert_int_equal(synack_recv_flags(s, c.fd, b, sizeof b, SYNACK_MSG_PEEK), 250);
    assert_memory_equal(b, data + 50, 250);
    /* MSG_TRUNC, as Linux's TCP: discard without copying (buf may be NULL). */
    assert_int_equal(synack_recv_flags(s, c.fd, NULL, 200, SYNACK_MSG_TRUNC), 200);
    assert_int_equal(synack_recv_flags(s, c.fd, NULL, 200, SYNACK_MSG_TRUNC | SYNACK_MSG_PEEK), 50);
    assert_int_equal(synack_recv(s, c.fd, b, sizeof b), 50);
    assert_memory_equal(b, data + 250, 50);
    assert_int_equal(synack_recv_flags(s, c.fd, b, sizeof b, SYNACK_MSG_PEEK), -EAGAIN);
    assert_int_equal(synack_recv_flags(s, c.fd, b, sizeof b, 0x100), -EINVAL);
    assert_int_equal(synack_recv_flags(s, c.fd, NULL, 1, SYNACK_MSG_PEEK), -EFAULT);
    /* At end of stream a peek returns 0, as a read does. */
    data_in(&c, 300, NULL, 0, SYNACK_FIN);
    th_expect(&c.h, SYNACK_ACK, c.snd, c.rcv + 301, 0);
    assert_int_equal(synack_recv_flags(s, c.fd, b, sizeof b, SYNACK_MSG_PEEK), 0);
    assert_int_equal(synack_recv(s, c.fd, b, sizeof b), 0);
    th_free(&c.h);
}

/* A peek frees nothing, so it never announces a window: a full 4 KiB buffer peeked stays
 * closed; the read that drains it sends the update (Linux tcp_cleanup_rbuf runs only for
 * consumed data). */
static void peek_sends_no_window_update(void **state)
{
    (void)state;
    struct synack_config cfg;
    th_config(&cfg);
    cfg.rcvbuf = 4096;
    struct th_conn c;
    th_conn_open(&c, &cfg, 1000, 65535);
    uint8_t data[4096], b[4096];
    fill(data, sizeof data, 2);
    for (uint32_t off = 0; off < 4096; off += 1024) {
        data_in(&c, off, data + off, 1024, 0);
        struct th_out o = th_expect(&c.h, SYNACK_ACK, c.snd, c.rcv + off + 1024, 0);
        assert_int_equal(o.win, 4096 - off - 1024);
    }
    assert_int_equal(synack_recv_flags(c.h.stack, c.fd, b, sizeof b, SYNACK_MSG_PEEK), 4096);
    assert_memory_equal(b, data, 4096);
    th_poll(&c.h);
    th_expect_none(&c.h);
    assert_int_equal(synack_recv(c.h.stack, c.fd, b, sizeof b), 4096);
    th_poll(&c.h);
    struct th_out o = th_expect(&c.h, SYNACK_ACK, c.snd, c.rcv + 4096, 0);
    assert_int_equal(o.win, 4096);
    th_free(&c.h);
}

/* A pending error is reported by a peek too, and cleared (Linux: sock_error() in
 * tcp_recvmsg_locked, whatever the flags); afterwards the stream reads as ended. */
static void peek_reports_reset(void **state)
{
    (void)state;
    struct th_conn c;
    th_conn_open(&c, NULL, 1460, 65535);
    th_inject(&c.h, &(struct th_seg){.flags = SYNACK_RST, .seq = c.rcv});
    uint8_t b[16];
    assert_int_equal(synack_recv_flags(c.h.stack, c.fd, b, sizeof b, SYNACK_MSG_PEEK), -ECONNRESET);
    assert_int_equal(synack_recv_flags(c.h.stack, c.fd, b, sizeof b, SYNACK_MSG_PEEK), 0);
    th_free(&c.h);
}

/* RFC 5681 4.2: an out-of-order segment draws an immediate duplicate ACK, a bare FIN past a
 * hole too (Linux tcp_data_queue_ofo + __tcp_ack_snd_check; FreeBSD suite
 * rcv-data-segments/reordering-5F4321). */
static void out_of_order_bare_fin_draws_dup_ack(void **state)
{
    (void)state;
    struct th_conn c;
    th_conn_open(&c, NULL, 1460, 65535);
    data_in(&c, 5, NULL, 0, SYNACK_FIN);
    th_expect(&c.h, SYNACK_ACK, c.snd, c.rcv, 0);
    th_expect_none(&c.h);
    assert_int_equal(th_state_of(&c.h, TH_PEER_PORT), SYNACK_ESTABLISHED);
    data_in(&c, 0, "hello", 5, 0);
    th_expect(&c.h, SYNACK_ACK, c.snd, c.rcv + 6, 0);
    assert_int_equal(th_state_of(&c.h, TH_PEER_PORT), SYNACK_CLOSE_WAIT);
    th_free(&c.h);
}

/* TIME-WAIT with the descriptor still open (shutdown, then the peer's FIN): a bare ACK at
 * RCV.NXT is taken silently and restarts 2 MSL, one at RCV.NXT+1 is answered with
 * <SEQ=SND.NXT><ACK=RCV.NXT> and restarts 2 MSL, as Linux's tcp_timewait_state_process (FreeBSD
 * suite rcv-ack-time-wait-using-shutdown-middle). */
static void time_wait_answers_ack_above_rcv_nxt(void **state)
{
    (void)state;
    struct th_conn c;
    th_conn_open(&c, NULL, 1460, 65535);
    assert_int_equal(synack_shutdown(c.h.stack, c.fd, SYNACK_SHUT_WR), 0);
    th_poll(&c.h);
    th_expect(&c.h, SYNACK_FIN | SYNACK_ACK, c.snd, c.rcv, 0);
    th_inject(&c.h,
              &(struct th_seg){
                  .flags = SYNACK_FIN | SYNACK_ACK, .seq = c.rcv, .ack = c.snd + 1, .win = 65535});
    th_expect(&c.h, SYNACK_ACK, c.snd + 1, c.rcv + 1, 0);
    assert_int_equal(th_state_of(&c.h, TH_PEER_PORT), SYNACK_TIME_WAIT);
    th_advance(&c.h, SYNACK_SEC(10));
    th_inject(&c.h, &(struct th_seg){
                        .flags = SYNACK_ACK, .seq = c.rcv + 1, .ack = c.snd + 1, .win = 65535});
    th_expect_none(&c.h);
    /* The bare ACK restarted 2 MSL too, as the compact TIME-WAIT record does. */
    assert_int_equal(synack_stack_next_deadline(c.h.stack), c.h.now + SYNACK_SEC(60));
    th_advance(&c.h, SYNACK_SEC(10));
    th_inject(&c.h, &(struct th_seg){
                        .flags = SYNACK_ACK, .seq = c.rcv + 2, .ack = c.snd + 1, .win = 65535});
    th_expect(&c.h, SYNACK_ACK, c.snd + 1, c.rcv + 1, 0);
    th_expect_none(&c.h);
    assert_int_equal(synack_stack_next_deadline(c.h.stack), c.h.now + SYNACK_SEC(60));
    /* A second one within 500 ms is not answered (Linux tcp_oow_rate_limited). */
    th_inject(&c.h, &(struct th_seg){
                        .flags = SYNACK_ACK, .seq = c.rcv + 2, .ack = c.snd + 1, .win = 65535});
    th_expect_none(&c.h);
    assert_int_equal(th_state_of(&c.h, TH_PEER_PORT), SYNACK_TIME_WAIT);
    th_free(&c.h);
}

/* The error a RST leaves for the application, as Linux's tcp_reset: ECONNRESET in LAST-ACK
 * and CLOSING (FreeBSD suite rcv-rst-last-ack-left-edge-*), EPIPE in CLOSE-WAIT. */
static void rst_errors_as_linux(void **state)
{
    (void)state;
    static const enum synack_tcp_state states[] = {SYNACK_LAST_ACK, SYNACK_CLOSING,
                                                   SYNACK_CLOSE_WAIT};
    static const int errs[] = {-ECONNRESET, -ECONNRESET, -EPIPE};
    for (unsigned i = 0; i < 3; i++) {
        struct th_conn c;
        th_conn_open(&c, NULL, 1460, 65535);
        struct synack_stack *s = c.h.stack;
        uint32_t peer_fin = 0;
        if (states[i] != SYNACK_CLOSING) {
            data_in(&c, 0, NULL, 0, SYNACK_FIN);
            th_expect(&c.h, SYNACK_ACK, c.snd, c.rcv + 1, 0);
            peer_fin = 1;
        }
        if (states[i] != SYNACK_CLOSE_WAIT) {
            assert_int_equal(synack_shutdown(s, c.fd, SYNACK_SHUT_WR), 0);
            th_poll(&c.h);
            th_expect(&c.h, SYNACK_FIN | SYNACK_ACK, c.snd, c.rcv + peer_fin, 0);
        }
        if (states[i] == SYNACK_CLOSING) {
            data_in(&c, 0, NULL, 0, SYNACK_FIN); /* does not ACK our FIN */
            th_expect(&c.h, SYNACK_ACK, c.snd + 1, c.rcv + 1, 0);
            peer_fin = 1;
        }
        assert_int_equal(th_state_of(&c.h, TH_PEER_PORT), states[i]);
        th_inject(&c.h, &(struct th_seg){.flags = SYNACK_RST, .seq = c.rcv + peer_fin});
        th_expect_none(&c.h);
        assert_int_equal(th_state_of(&c.h, TH_PEER_PORT), SYNACK_CLOSED);
        assert_true(synack_poll_events(s, c.fd) & SYNACK_POLLERR);
        assert_int_equal(synack_get_error(s, c.fd), errs[i]);
        assert_int_equal(synack_get_error(s, c.fd), 0);
        th_free(&c.h);
    }
}

/* A listener drops SYN+FIN, with or without data, as Linux's tcp_rcv_state_process (FreeBSD
 * suite rcv-syn-fin-{with,without}-data-listen-dropping-enabled); a plain SYN then opens. */
static void listener_drops_syn_fin(void **state)
{
    (void)state;
    struct th h;
    th_init(&h, NULL);
    th_listen(&h, 8);
    th_inject(&h, &(struct th_seg){.flags = SYNACK_SYN | SYNACK_FIN, .seq = 100, .win = 65535});
    th_expect_none(&h);
    th_inject(
        &h,
        &(struct th_seg){
            .flags = SYNACK_SYN | SYNACK_FIN, .seq = 100, .win = 65535, .data = "abc", .len = 3});
    th_expect_none(&h);
    assert_int_equal(synack_stack_counter(h.stack, SYNACK_CTR_TCP_BAD_SYN), 2);
    assert_int_equal(synack_stack_connection_count(h.stack), 0);
    struct th_out o = th_syn_in(&h, 100);
    assert_int_equal(o.flags, SYNACK_SYN | SYNACK_ACK);
    assert_int_equal(o.ack, 101);
    th_free(&h);
}

/* A RST exactly at the right edge of the window is outside it (RFC 5961 3.2: SEG.SEQ <
 * RCV.NXT+RCV.WND) and dropped unanswered, in SYN-RECEIVED as anywhere (freebsd-net
 * tcp-testsuite rcv-rst-syn-rcvd-via-listen-outside-right: the kernel passes it); one byte
 * inside draws a challenge ACK; the handshake then completes. (A bare ACK at the edge is
 * taken, as Linux's tcp_sequence: test_send_record.c.) */
static void rst_at_right_edge_is_outside(void **state)
{
    (void)state;
    struct th h;
    th_init(&h, NULL);
    int lfd = th_listen(&h, 8);
    th_inject(&h, &(struct th_seg){.flags = SYNACK_SYN, .seq = 0, .win = 32767, .mss = 1460});
    struct th_out sa = {0};
    assert_true(th_take(&h, &sa));
    assert_int_equal(sa.flags, SYNACK_SYN | SYNACK_ACK);
    assert_int_equal(sa.wscale, -1); /* the SYN had none: sa.win is the window as it is */
    uint32_t edge = 1 + sa.win;
    uint64_t ignored = synack_stack_counter(h.stack, SYNACK_CTR_TCP_RST_IGNORED);
    th_inject(&h, &(struct th_seg){.flags = SYNACK_RST, .seq = edge, .win = 32767});
    th_expect_none(&h);
    assert_int_equal(synack_stack_counter(h.stack, SYNACK_CTR_TCP_RST_IGNORED), ignored + 1);
    th_inject(&h, &(struct th_seg){.flags = SYNACK_RST, .seq = edge - 1, .win = 32767});
    struct th_out ch = {0};
    assert_true(th_take(&h, &ch));
    assert_int_equal(ch.flags, SYNACK_ACK);
    assert_int_equal(ch.seq, sa.seq + 1);
    assert_int_equal(ch.ack, 1);
    th_expect_none(&h);
    th_inject(&h, &(struct th_seg){.flags = SYNACK_ACK, .seq = 1, .ack = sa.seq + 1, .win = 32767});
    assert_true(synack_accept(h.stack, lfd, NULL) >= 0);
    th_free(&h);
}

/* TCP_USER_TIMEOUT (RFC 5482 3, Linux semantics): milliseconds, 0 off; data unacknowledged
 * that long ends the connection with ETIMEDOUT, checked from the first retransmission on,
 * and the retransmission timer is clamped to the limit (Linux tcp_write_timeout,
 * tcp_clamp_rto_to_user_timeout). RTO 200 ms: retransmissions at +200, +600, +1400 ms; the
 * next would be at +3000, the 2500 ms limit ends it at +2500 without a segment (as Linux's
 * tcp_write_err, no RST). */
static void user_timeout_ends_retransmission(void **state)
{
    (void)state;
    struct th_conn c;
    th_conn_open(&c, NULL, 1460, 65535);
    struct synack_stack *s = c.h.stack;
    int v = -1;
    assert_int_equal(synack_getsockopt(s, c.fd, SYNACK_TCP_USER_TIMEOUT, &v), 0);
    assert_int_equal(v, 0);
    assert_int_equal(synack_setsockopt(s, c.fd, SYNACK_TCP_USER_TIMEOUT, -1), -EINVAL);
    assert_int_equal(synack_setsockopt(s, c.fd, SYNACK_TCP_USER_TIMEOUT, 2500), 0);
    assert_int_equal(synack_getsockopt(s, c.fd, SYNACK_TCP_USER_TIMEOUT, &v), 0);
    assert_int_equal(v, 2500);
    assert_int_equal(synack_send(s, c.fd, "payload", 7), 7);
    th_poll(&c.h);
    th_expect(&c.h, SYNACK_ACK | SYNACK_PSH, c.snd, c.rcv, 7);
    synack_time_t t0 = c.h.now;
    static const unsigned at_ms[] = {200, 600, 1400};
    for (unsigned i = 0; i < 3; i++) {
        th_run_next(&c.h, SYNACK_SEC(100));
        assert_int_equal(c.h.now - t0, SYNACK_MS(at_ms[i]));
        th_expect(&c.h, SYNACK_ACK | SYNACK_PSH, c.snd, c.rcv, 7);
    }
    th_run_next(&c.h, SYNACK_SEC(100));
    assert_int_equal(c.h.now - t0, SYNACK_MS(2500));
    th_expect_none(&c.h);
    assert_int_equal(th_state_of(&c.h, TH_PEER_PORT), SYNACK_CLOSED);
    assert_int_equal(synack_get_error(s, c.fd), -ETIMEDOUT);
    th_free(&c.h);
}

/* An ACK of new data restarts the count: the limit is on data that stays unacknowledged,
 * not on the connection's age. */
/* Linux tcp_chrono: the time spent busy sending, and held back by a closed window: 100 ms
 * against a zero window, then the window opens, the data goes and is acknowledged 30 ms
 * later; busy the whole 130 ms, window-limited the first 100. */
static void busy_and_window_limited_time(void **state)
{
    (void)state;
    struct th_conn c;
    th_conn_open(&c, NULL, 1460, 0);
    struct synack_conn_info ci;
    assert_int_equal(synack_get_info(c.h.stack, c.fd, &ci), 0);
    assert_int_equal(ci.busy_time, 0);
    assert_int_equal(synack_send(c.h.stack, c.fd, "0123456789", 10), 10);
    th_poll(&c.h);
    th_advance(&c.h, SYNACK_MS(100));
    struct th_out o;
    while (th_take(&c.h, &o)) {
    }
    th_inject(&c.h, &(struct th_seg){.flags = SYNACK_ACK, .seq = c.rcv, .ack = c.snd, .win = 1000});
    th_expect(&c.h, SYNACK_ACK | SYNACK_PSH, c.snd, c.rcv, 10);
    th_advance(&c.h, SYNACK_MS(30));
    th_inject(&c.h,
              &(struct th_seg){.flags = SYNACK_ACK, .seq = c.rcv, .ack = c.snd + 10, .win = 1000});
    th_advance(&c.h, SYNACK_MS(50)); /* idle now: no longer counted */
    assert_int_equal(synack_get_info(c.h.stack, c.fd, &ci), 0);
    assert_int_equal(ci.rwnd_limited, 100000);
    assert_int_equal(ci.busy_time, 130000);
    assert_int_equal(ci.sndbuf_limited, 0);
    th_free(&c.h);
}

static void user_timeout_restarts_on_progress(void **state)
{
    (void)state;
    struct th_conn c;
    th_conn_open(&c, NULL, 1460, 65535);
    struct synack_stack *s = c.h.stack;
    assert_int_equal(synack_setsockopt(s, c.fd, SYNACK_TCP_USER_TIMEOUT, 1000), 0);
    assert_int_equal(synack_send(s, c.fd, "ab", 2), 2);
    th_poll(&c.h);
    th_expect(&c.h, SYNACK_ACK | SYNACK_PSH, c.snd, c.rcv, 2);
    synack_time_t t0 = c.h.now;
    th_run_next(&c.h, SYNACK_SEC(100)); /* +200: retransmission */
    th_expect(&c.h, SYNACK_ACK | SYNACK_PSH, c.snd, c.rcv, 2);
    th_run_next(&c.h, SYNACK_SEC(100)); /* +600 */
    th_expect(&c.h, SYNACK_ACK | SYNACK_PSH, c.snd, c.rcv, 2);
    th_inject(&c.h,
              &(struct th_seg){.flags = SYNACK_ACK, .seq = c.rcv, .ack = c.snd + 2, .win = 65535});
    assert_int_equal(synack_send(s, c.fd, "cd", 2), 2);
    th_poll(&c.h);
    th_expect(&c.h, SYNACK_ACK | SYNACK_PSH, c.snd + 2, c.rcv, 2);
    /* 900 ms after the first send, 300 after this one: retransmitted, not given up. */
    th_advance(&c.h, SYNACK_MS(300));
    assert_int_equal(c.h.now - t0, SYNACK_MS(900));
    th_expect(&c.h, SYNACK_ACK | SYNACK_PSH, c.snd + 2, c.rcv, 2);
    assert_int_equal(th_state_of(&c.h, TH_PEER_PORT), SYNACK_ESTABLISHED);
    th_free(&c.h);
}

/* A connection accepted from a listener inherits its TCP_USER_TIMEOUT (Linux clones the
 * listener's socket, icsk_user_timeout included). */
static void user_timeout_inherited_by_accept(void **state)
{
    (void)state;
    struct th h;
    th_init(&h, NULL);
    int lfd = th_listen(&h, 8);
    assert_int_equal(synack_setsockopt(h.stack, lfd, SYNACK_TCP_USER_TIMEOUT, 1234), 0);
    uint32_t iss = 0;
    int fd = th_passive_open(&h, lfd, 1000, &iss);
    assert_true(fd >= 0);
    int v = 0;
    assert_int_equal(synack_getsockopt(h.stack, fd, SYNACK_TCP_USER_TIMEOUT, &v), 0);
    assert_int_equal(v, 1234);
    th_free(&h);
}

/* The limit applies to connect too (Linux tcp_write_timeout checks it in SYN-SENT): SYN at
 * 0, retransmitted at 1 s; the next would be at 3 s, a 2000 ms limit ends it at 2 s. */
static void user_timeout_ends_connect(void **state)
{
    (void)state;
    struct th h;
    th_init(&h, NULL);
    int fd = synack_socket(h.stack);
    assert_int_equal(synack_setsockopt(h.stack, fd, SYNACK_TCP_USER_TIMEOUT, 2000), 0);
    struct synack_endpoint peer = {TH_PEER_ADDR, TH_PEER_PORT};
    assert_int_equal(synack_connect(h.stack, fd, &peer), -EINPROGRESS);
    th_poll(&h);
    struct th_out syn = {0};
    assert_true(th_take(&h, &syn));
    assert_int_equal(syn.flags, SYNACK_SYN);
    synack_time_t t0 = h.now;
    th_run_next(&h, SYNACK_SEC(100));
    assert_int_equal(h.now - t0, SYNACK_SEC(1));
    struct th_out again = {0};
    assert_true(th_take(&h, &again));
    assert_int_equal(again.flags, SYNACK_SYN);
    assert_int_equal(again.seq, syn.seq);
    th_run_next(&h, SYNACK_SEC(100));
    assert_int_equal(h.now - t0, SYNACK_SEC(2));
    th_expect_none(&h);
    assert_int_equal(synack_get_error(h.stack, fd), -ETIMEDOUT);
    th_free(&h);
}

/* A zero window probed that long ends the connection even though the peer answers every
 * probe (Linux tcp_probe_timer with icsk_probes_tstamp, commit "tcp: fix TCP_USER_TIMEOUT
 * with zero window"): probes at +200, +600, +1400 ms, the first one starting the count; the
 * next would be at +3000, the 2000 ms limit ends it at +2200. */
static void user_timeout_bounds_zero_window_probing(void **state)
{
    (void)state;
    struct th_conn c;
    th_conn_open(&c, NULL, 1460, 0); /* the peer offers no window at all */
    struct synack_stack *s = c.h.stack;
    assert_int_equal(synack_setsockopt(s, c.fd, SYNACK_TCP_USER_TIMEOUT, 2000), 0);
    assert_int_equal(synack_send(s, c.fd, "abc", 3), 3);
    th_poll(&c.h);
    th_expect_none(&c.h);
    synack_time_t t0 = c.h.now;
    static const unsigned at_ms[] = {200, 600, 1400};
    for (unsigned i = 0; i < 3; i++) {
        th_run_next(&c.h, SYNACK_SEC(100));
        assert_int_equal(c.h.now - t0, SYNACK_MS(at_ms[i]));
        th_expect(&c.h, SYNACK_ACK, c.snd - 1, c.rcv, 0);
        th_inject(&c.h, &(struct th_seg){.flags = SYNACK_ACK, .seq = c.rcv, .ack = c.snd});
        th_expect_none(&c.h);
    }
    th_run_next(&c.h, SYNACK_SEC(100));
    assert_int_equal(c.h.now - t0, SYNACK_MS(2200));
    th_expect_none(&c.h);
    assert_int_equal(th_state_of(&c.h, TH_PEER_PORT), SYNACK_CLOSED);
    char b[4];
    assert_int_equal(synack_recv(s, c.fd, b, sizeof b), -ETIMEDOUT);
    th_free(&c.h);
}

/* An established connection whose SYN agreed SACK (no timestamps, so four blocks fit). */
static void sack_conn_open(struct th_conn *c)
{
    th_init(&c->h, NULL);
    int l = th_listen(&c->h, 8);
    th_inject(&c->h, &(struct th_seg){.flags = SYNACK_SYN,
                                      .seq = TH_CONN_PEER_ISS,
                                      .win = 65535,
                                      .mss = 1460,
                                      .sack_permitted = true});
    struct th_out sa = {0};
    assert_true(th_take(&c->h, &sa));
    assert_true(sa.sack_permitted);
    th_inject(&c->h, &(struct th_seg){.flags = SYNACK_ACK,
                                      .seq = TH_CONN_PEER_ISS + 1,
                                      .ack = sa.seq + 1,
                                      .win = 65535});
    c->fd = synack_accept(c->h.stack, l, NULL);
    assert_true(c->fd >= 0);
    c->snd = sa.seq + 1;
    c->rcv = TH_CONN_PEER_ISS + 1;
}

static void expect_blocks(struct th_out *o, unsigned n, const uint32_t (*b)[2])
{
    assert_int_equal(o->sack_count, n);
    for (unsigned i = 0; i < n; i++) {
        assert_int_equal(o->sack[i][0], b[i][0]);
        assert_int_equal(o->sack[i][1], b[i][1]);
    }
}

/* RFC 2883 4 (Linux tcp_dsack = 1, tcp_send_dupack / tcp_data_queue): data that arrives a
 * second time is reported as the first SACK block of the ACK it draws, once. */
static void dsack_reports_duplicates(void **state)
{
    (void)state;
    struct th_conn c;
    sack_conn_open(&c);
    uint8_t data[300];
    fill(data, sizeof data, 3);
    data_in(&c, 0, data, 100, 0);
    struct th_out o = th_expect(&c.h, SYNACK_ACK, c.snd, c.rcv + 100, 0);
    assert_int_equal(o.sack_count, 0);
    /* Wholly old: D-SACK [0, 100). */
    data_in(&c, 0, data, 100, 0);
    o = th_expect(&c.h, SYNACK_ACK, c.snd, c.rcv + 100, 0);
    expect_blocks(&o, 1, (const uint32_t[][2]){{c.rcv, c.rcv + 100}});
    /* Partly old: [50, 150) takes 100..149 and D-SACKs [50, 100). */
    data_in(&c, 50, data + 50, 100, 0);
    o = th_expect(&c.h, SYNACK_ACK, c.snd, c.rcv + 150, 0);
    expect_blocks(&o, 1, (const uint32_t[][2]){{c.rcv + 50, c.rcv + 100}});
    /* Out of order, then the same again: D-SACK, then the block holding it. */
    data_in(&c, 200, data + 200, 100, 0);
    o = th_expect(&c.h, SYNACK_ACK, c.snd, c.rcv + 150, 0);
    expect_blocks(&o, 1, (const uint32_t[][2]){{c.rcv + 200, c.rcv + 300}});
    data_in(&c, 250, data + 250, 50, 0);
    o = th_expect(&c.h, SYNACK_ACK, c.snd, c.rcv + 150, 0);
    expect_blocks(&o, 2,
                  (const uint32_t[][2]){{c.rcv + 250, c.rcv + 300}, {c.rcv + 200, c.rcv + 300}});
    /* The hole fills: a plain cumulative ACK, the D-SACK not repeated. */
    data_in(&c, 150, data + 150, 50, 0);
    o = th_expect(&c.h, SYNACK_ACK, c.snd, c.rcv + 300, 0);
    assert_int_equal(o.sack_count, 0);
    th_expect_none(&c.h);
    uint8_t b[400];
    assert_int_equal(synack_recv(c.h.stack, c.fd, b, sizeof b), 300);
    assert_memory_equal(b, data, 300);
    /* A retransmitted FIN is a duplicate too (Linux counts it in end_seq). */
    data_in(&c, 300, NULL, 0, SYNACK_FIN);
    th_expect(&c.h, SYNACK_ACK, c.snd, c.rcv + 301, 0);
    data_in(&c, 300, NULL, 0, SYNACK_FIN);
    o = th_expect(&c.h, SYNACK_ACK, c.snd, c.rcv + 301, 0);
    expect_blocks(&o, 1, (const uint32_t[][2]){{c.rcv + 300, c.rcv + 301}});
    th_free(&c.h);
}

/* Without SACK agreed there is no D-SACK (RFC 2883 is an extension of RFC 2018). */
static void no_dsack_without_sack(void **state)
{
    (void)state;
    struct th_conn c;
    th_conn_open(&c, NULL, 1460, 65535);
    data_in(&c, 0, "hello", 5, 0);
    th_expect(&c.h, SYNACK_ACK, c.snd, c.rcv + 5, 0);
    data_in(&c, 0, "hello", 5, 0);
    struct th_out o = th_expect(&c.h, SYNACK_ACK, c.snd, c.rcv + 5, 0);
    assert_int_equal(o.sack_count, 0);
    th_free(&c.h);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(peek_leaves_data_queued),
        cmocka_unit_test(peek_sends_no_window_update),
        cmocka_unit_test(peek_reports_reset),
        cmocka_unit_test(out_of_order_bare_fin_draws_dup_ack),
        cmocka_unit_test(time_wait_answers_ack_above_rcv_nxt),
        cmocka_unit_test(rst_errors_as_linux),
        cmocka_unit_test(listener_drops_syn_fin),
        cmocka_unit_test(user_timeout_ends_retransmission),
        cmocka_unit_test(user_timeout_restarts_on_progress),
        cmocka_unit_test(busy_and_window_limited_time),
        cmocka_unit_test(user_timeout_ends_connect),
        cmocka_unit_test(rst_at_right_edge_is_outside),
        cmocka_unit_test(user_timeout_inherited_by_accept),
        cmocka_unit_test(user_timeout_bounds_zero_window_probing),
        cmocka_unit_test(dsack_reports_duplicates),
        cmocka_unit_test(no_dsack_without_sack),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
