/* SPDX-License-Identifier: MIT */
/* Linux's send-side socket behaviour (issue 13): where PSH goes, MSG_EOR records, MSG_MORE,
 * TCP_CORK, TCP_NOTSENT_LOWAT and TCP_INQ. Each expectation is what Linux sends in the same
 * case (google/packetdrill's eor, nagle, mss and notsent_lowat scripts, run against the
 * kernel). */
#include <errno.h>
#include <string.h>
#include "harness.h"

static void peer(struct th_conn *c, uint8_t flags, uint32_t seq, uint32_t ack, uint16_t win,
                 const void *data, uint32_t len)
{
    th_inject(&c->h,
              &(struct th_seg){
                  .flags = flags, .seq = seq, .ack = ack, .win = win, .data = data, .len = len});
}

static uint8_t buf[65536];

#define A SYNACK_ACK
#define AP (SYNACK_ACK | SYNACK_PSH)

/* Linux sends a first flight as TSO packets of two segments, each with PSH (pcount > 1),
 * which GSO keeps on the second; where the windows stop the burst with one segment of a
 * packet, it goes without PSH; the end of a write has PSH. */
static void psh_on_two_segment_packets_and_write_ends(void **state)
{
    (void)state;
    struct th_conn c;
    th_conn_open(&c, NULL, 1000, 65535);
    assert_int_equal(synack_send(c.h.stack, c.fd, buf, 12500), 12500);
    th_poll(&c.h);
    for (unsigned i = 0; i < 10; i++) /* the initial window: 10 segments */
        th_expect(&c.h, i % 2 ? AP : A, c.snd + 1000 * i, c.rcv, 1000);
    th_expect_none(&c.h);
    /* One segment acknowledged: cwnd 11, room for two: a packet of two. */
    peer(&c, A, c.rcv, c.snd + 1000, 65535, NULL, 0);
    th_expect(&c.h, A, c.snd + 10000, c.rcv, 1000);
    th_expect(&c.h, AP, c.snd + 11000, c.rcv, 1000);
    th_expect_none(&c.h);
    /* Room for one more: the write's tail (500 bytes) where the write ends: PSH. */
    peer(&c, A, c.rcv, c.snd + 2000, 65535, NULL, 0);
    th_expect(&c.h, AP, c.snd + 12000, c.rcv, 500);
    th_expect_none(&c.h);
    th_free(&c.h);
}

/* Where a later write extends an earlier one before it left, only the later end has PSH
 * (Linux clears PSH on the skb a write appends to); one segment alone, mid-write, has none. */
static void later_write_moves_the_push(void **state)
{
    (void)state;
    struct th_conn c;
    th_conn_open(&c, NULL, 1000, 1000); /* the peer's window: one segment */
    assert_int_equal(synack_send(c.h.stack, c.fd, buf, 300), 300);
    assert_int_equal(synack_send(c.h.stack, c.fd, buf, 2000), 2000);
    th_poll(&c.h);
    th_expect(&c.h, A, c.snd, c.rcv, 1000); /* one segment, the write goes on */
    th_expect_none(&c.h);
    peer(&c, A, c.rcv, c.snd + 1000, 1000, NULL, 0);
    th_expect(&c.h, A, c.snd + 1000, c.rcv, 1000);
    peer(&c, A, c.rcv, c.snd + 2000, 1000, NULL, 0);
    th_expect(&c.h, AP, c.snd + 2000, c.rcv, 300);
    th_expect_none(&c.h);
    th_free(&c.h);
}

/* google/packetdrill eor/no-coalesce-small and -subsequent: MSG_EOR ends a record that
 * later data never joins; each record's last segment has PSH; records that are not the last
 * of the queue go past Nagle; a repeat after a timeout keeps them apart. */
static void eor_records_stay_apart(void **state)
{
    (void)state;
    struct th_conn c;
    th_conn_open(&c, NULL, 1000, 65535);
    assert_int_equal(synack_send(c.h.stack, c.fd, buf, 10400), 10400);
    th_poll(&c.h);
    for (unsigned i = 0; i < 10; i++)
        th_expect(&c.h, i % 2 ? AP : A, c.snd + 1000 * i, c.rcv, 1000);
    th_expect_none(&c.h);
    /* The first record extends the 400 bytes still queued; two more follow, then data. */
    for (int i = 0; i < 3; i++)
        assert_int_equal(synack_send_flags(c.h.stack, c.fd, buf, 400, SYNACK_MSG_EOR), 400);
    assert_int_equal(synack_send(c.h.stack, c.fd, buf, 2000), 2000);
    th_poll(&c.h);
    th_expect_none(&c.h); /* the congestion window is full */
    peer(&c, A, c.rcv, c.snd + 10000, 65535, NULL, 0);
    th_expect(&c.h, AP, c.snd + 10000, c.rcv, 800);
    th_expect(&c.h, AP, c.snd + 10800, c.rcv, 400);
    th_expect(&c.h, AP, c.snd + 11200, c.rcv, 400);
    th_expect(&c.h, A, c.snd + 11600, c.rcv, 1000);
    th_expect(&c.h, AP, c.snd + 12600, c.rcv, 1000);
    th_expect_none(&c.h);
    /* The first record is acknowledged; the rest times out and goes again, one segment,
     * then two, never across a record's end. */
    peer(&c, A, c.rcv, c.snd + 10800, 65535, NULL, 0);
    th_expect_none(&c.h);
    th_run_next(&c.h, SYNACK_SEC(5));
    th_expect(&c.h, AP, c.snd + 10800, c.rcv, 400);
    th_expect_none(&c.h);
    peer(&c, A, c.rcv, c.snd + 11200, 65535, NULL, 0);
    th_expect(&c.h, AP, c.snd + 11200, c.rcv, 400);
    th_expect(&c.h, A, c.snd + 11600, c.rcv, 1000);
    th_expect_none(&c.h);
    th_free(&c.h);
}

/* google/packetdrill nagle/sendmsg_msg_more: MSG_MORE puts no PSH at the end and holds a
 * partial segment in the output its send asks for (full segments go); an ACK sends it by the
 * socket's own rules; alone and with nothing in flight it waits for the probe timer, which
 * sends it with PSH (Linux tcp_write_wakeup). */
static void msg_more_holds_the_partial_segment(void **state)
{
    (void)state;
    struct th_conn c;
    th_conn_open(&c, NULL, 1000, 65535);
    assert_int_equal(synack_setsockopt(c.h.stack, c.fd, SYNACK_TCP_NODELAY, 1), 0);
    assert_int_equal(synack_send_flags(c.h.stack, c.fd, buf, 40, SYNACK_MSG_MORE), 40);
    th_poll(&c.h);
    th_expect_none(&c.h);
    synack_time_t t0 = c.h.now;
    th_run_next(&c.h, SYNACK_SEC(5));
    assert_int_equal(c.h.now - t0, SYNACK_MS(200)); /* the RTO of an RTT of 0 */
    th_expect(&c.h, AP, c.snd, c.rcv, 40);
    th_expect_none(&c.h);
    peer(&c, A, c.rcv, c.snd + 40, 65535, NULL, 0);
    th_expect_none(&c.h);
    assert_int_equal(synack_send_flags(c.h.stack, c.fd, buf, 3100, SYNACK_MSG_MORE), 3100);
    th_poll(&c.h);
    th_expect(&c.h, A, c.snd + 40, c.rcv, 1000);
    th_expect(&c.h, AP, c.snd + 1040, c.rcv, 1000);
    th_expect(&c.h, A, c.snd + 2040, c.rcv, 1000);
    th_expect_none(&c.h); /* 100 bytes wait */
    peer(&c, A, c.rcv, c.snd + 2040, 65535, NULL, 0);
    th_expect(&c.h, A, c.snd + 3040, c.rcv, 100); /* TCP_NODELAY: the ACK sends it */
    th_expect_none(&c.h);
    assert_int_equal(synack_send_flags(c.h.stack, c.fd, buf, 5, 0), 5);
    th_poll(&c.h);
    th_expect(&c.h, AP, c.snd + 3140, c.rcv, 5);
    th_expect_none(&c.h);
    assert_int_equal(synack_send_flags(c.h.stack, c.fd, buf, 1, 0x4000), -EINVAL);
    th_free(&c.h);
}

/* google/packetdrill nagle/sockopt_cork_nodelay: TCP_CORK holds partial segments until it
 * is cleared or TCP_NODELAY is set; the data keeps the PSH of its writes, and MSG_MORE
 * writes have none. */
static void cork_then_nodelay(void **state)
{
    (void)state;
    struct th_conn c;
    th_conn_open(&c, NULL, 1000, 65535);
    int v = -1;
    assert_int_equal(synack_setsockopt(c.h.stack, c.fd, SYNACK_TCP_CORK, 1), 0);
    assert_int_equal(synack_getsockopt(c.h.stack, c.fd, SYNACK_TCP_CORK, &v), 0);
    assert_int_equal(v, 1);
    assert_int_equal(synack_send(c.h.stack, c.fd, buf, 40), 40);
    th_advance(&c.h, SYNACK_MS(50));
    assert_int_equal(synack_send(c.h.stack, c.fd, buf, 40), 40);
    th_advance(&c.h, SYNACK_MS(10));
    th_expect_none(&c.h);
    assert_int_equal(synack_setsockopt(c.h.stack, c.fd, SYNACK_TCP_CORK, 0), 0);
    th_poll(&c.h);
    th_expect(&c.h, AP, c.snd, c.rcv, 80);
    peer(&c, A, c.rcv, c.snd + 80, 65535, NULL, 0);
    /* Corked again: full segments go, a partial one waits; TCP_NODELAY pushes it. */
    assert_int_equal(synack_setsockopt(c.h.stack, c.fd, SYNACK_TCP_CORK, 1), 0);
    assert_int_equal(synack_send(c.h.stack, c.fd, buf, 2040), 2040);
    th_poll(&c.h);
    th_expect(&c.h, A, c.snd + 80, c.rcv, 1000);
    th_expect(&c.h, AP, c.snd + 1080, c.rcv, 1000);
    th_expect_none(&c.h);
    peer(&c, A, c.rcv, c.snd + 2080, 65535, NULL, 0);
    th_expect_none(&c.h); /* still corked */
    assert_int_equal(synack_setsockopt(c.h.stack, c.fd, SYNACK_TCP_NODELAY, 1), 0);
    th_poll(&c.h);
    th_expect(&c.h, AP, c.snd + 2080, c.rcv, 40);
    peer(&c, A, c.rcv, c.snd + 2120, 65535, NULL, 0);
    /* Still corked, with TCP_NODELAY: MSG_MORE writes wait and end without PSH. */
    assert_int_equal(synack_send_flags(c.h.stack, c.fd, buf, 40, SYNACK_MSG_MORE), 40);
    th_advance(&c.h, SYNACK_MS(50));
    assert_int_equal(synack_send_flags(c.h.stack, c.fd, buf, 40, SYNACK_MSG_MORE), 40);
    th_advance(&c.h, SYNACK_MS(10));
    th_expect_none(&c.h);
    assert_int_equal(synack_setsockopt(c.h.stack, c.fd, SYNACK_TCP_NODELAY, 1), 0);
    th_poll(&c.h);
    th_expect(&c.h, A, c.snd + 2120, c.rcv, 80);
    th_expect_none(&c.h);
    th_free(&c.h);
}

/* google/packetdrill notsent_lowat/notsent-lowat-setsockopt: with TCP_NOTSENT_LOWAT 4000 a
 * write takes what leaves at once and one skb of Linux's size goal (half the peer's window:
 * 16000), then -EAGAIN; POLLOUT returns once twice the unsent bytes are below 4000. */
static void notsent_lowat_limits_the_queue(void **state)
{
    (void)state;
    struct th_conn c;
    th_conn_open(&c, NULL, 1000, 32896);
    int v = -1;
    assert_int_equal(synack_getsockopt(c.h.stack, c.fd, SYNACK_TCP_NOTSENT_LOWAT, &v), 0);
    assert_int_equal(v, 0);
    assert_int_equal(synack_setsockopt(c.h.stack, c.fd, SYNACK_TCP_NOTSENT_LOWAT, 4000), 0);
    assert_int_equal(synack_getsockopt(c.h.stack, c.fd, SYNACK_TCP_NOTSENT_LOWAT, &v), 0);
    assert_int_equal(v, 4000);
    assert_true(synack_poll_events(c.h.stack, c.fd) & SYNACK_POLLOUT);
    assert_int_equal(synack_send(c.h.stack, c.fd, buf, 59000), 26000);
    assert_int_equal(synack_send(c.h.stack, c.fd, buf, 1000), -EAGAIN);
    th_poll(&c.h);
    for (unsigned i = 0; i < 10; i++)
        th_expect(&c.h, i % 2 ? AP : A, c.snd + 1000 * i, c.rcv, 1000);
    th_expect_none(&c.h);
    assert_false(synack_poll_events(c.h.stack, c.fd) & SYNACK_POLLOUT);
    for (uint32_t acked = 2000; acked <= 8000; acked += 2000) {
        peer(&c, A, c.rcv, c.snd + acked, 32896, NULL, 0);
        uint32_t at = 10000 + (acked - 2000) * 2;
        for (unsigned i = 0; i < 4; i++)
            th_expect(&c.h, i % 2 ? AP : A, c.snd + at + 1000 * i, c.rcv, 1000);
        th_expect_none(&c.h);
        /* 16000 - 4 * acked / 2 wait unsent: writable once that is below 2000. */
        bool writable = 16000 - 2 * acked < 2000;
        assert_int_equal((synack_poll_events(c.h.stack, c.fd) & SYNACK_POLLOUT) != 0, writable);
    }
    /* -1 is UINT32_MAX, as Linux stores the int: no limit. */
    assert_int_equal(synack_setsockopt(c.h.stack, c.fd, SYNACK_TCP_NOTSENT_LOWAT, -1), 0);
    assert_int_equal(synack_getsockopt(c.h.stack, c.fd, SYNACK_TCP_NOTSENT_LOWAT, &v), 0);
    assert_int_equal(v, -1);
    assert_true(synack_poll_events(c.h.stack, c.fd) & SYNACK_POLLOUT);
    th_free(&c.h);
}

/* The stack-wide default (Linux net.ipv4.tcp_notsent_lowat) applies to sockets without
 * their own. */
static void notsent_lowat_from_the_config(void **state)
{
    (void)state;
    struct synack_config cfg;
    th_config(&cfg);
    cfg.notsent_lowat = 4000;
    struct th_conn c;
    th_conn_open(&c, &cfg, 1000, 32896);
    int v = -1;
    assert_int_equal(synack_getsockopt(c.h.stack, c.fd, SYNACK_TCP_NOTSENT_LOWAT, &v), 0);
    assert_int_equal(v, 0);
    assert_int_equal(synack_send(c.h.stack, c.fd, buf, 59000), 26000);
    th_free(&c.h);
}

/* google/packetdrill inq/server: TCP_INQ, and what Linux's TCP_CM_INQ reports after each
 * read (tcp_inq_hint: the bytes left, plus 1 once the FIN came); SIOCOUTQNSD's count. */
static void inq_hint_and_unsent_count(void **state)
{
    (void)state;
    struct th_conn c;
    th_conn_open(&c, NULL, 1000, 65535);
    int v = -1;
    assert_int_equal(synack_getsockopt(c.h.stack, c.fd, SYNACK_TCP_INQ, &v), 0);
    assert_int_equal(v, 0);
    assert_int_equal(synack_setsockopt(c.h.stack, c.fd, SYNACK_TCP_INQ, 1), 0);
    assert_int_equal(synack_getsockopt(c.h.stack, c.fd, SYNACK_TCP_INQ, &v), 0);
    assert_int_equal(v, 1);
    peer(&c, A, c.rcv, c.snd, 65535, buf, 10000);
    struct synack_conn_info ci;
    assert_int_equal(synack_recv(c.h.stack, c.fd, buf, 2000), 2000);
    assert_int_equal(synack_get_info(c.h.stack, c.fd, &ci), 0);
    assert_int_equal(ci.recv_hint, 8000);
    assert_int_equal(ci.recv_queued, 8000);
    assert_int_equal(synack_recv(c.h.stack, c.fd, buf, 8000), 8000);
    assert_int_equal(synack_get_info(c.h.stack, c.fd, &ci), 0);
    assert_int_equal(ci.recv_hint, 0);
    peer(&c, SYNACK_FIN | A, c.rcv + 10000, c.snd, 65535, buf, 10000);
    assert_int_equal(synack_get_info(c.h.stack, c.fd, &ci), 0);
    assert_int_equal(ci.recv_hint, 10001);
    assert_int_equal(synack_recv(c.h.stack, c.fd, buf, 10000), 10000);
    assert_int_equal(synack_get_info(c.h.stack, c.fd, &ci), 0);
    assert_int_equal(ci.recv_hint, 1);
    assert_int_equal(ci.recv_queued, 0);
    assert_int_equal(synack_recv(c.h.stack, c.fd, buf, 10), 0);
    /* What waits unsent: the initial window takes 10 segments of 12500 bytes. */
    assert_int_equal(synack_send(c.h.stack, c.fd, buf, 12500), 12500);
    assert_int_equal(synack_get_info(c.h.stack, c.fd, &ci), 0);
    assert_int_equal(ci.send_unsent, 12500);
    th_poll(&c.h);
    assert_int_equal(synack_get_info(c.h.stack, c.fd, &ci), 0);
    assert_int_equal(ci.send_unsent, 2500);
    assert_int_equal(ci.send_queued, 12500);
    th_free(&c.h);
}

/* google/packetdrill tcp_info/tcp-info-last_data_recv: when data last came (from the
 * handshake on) and left, and the last new ACK, for tcp_info's last_* fields. */
static void last_data_times(void **state)
{
    (void)state;
    struct th_conn c;
    th_conn_open(&c, NULL, 1000, 65535);
    synack_time_t t0 = c.h.now;
    struct synack_conn_info ci;
    assert_int_equal(synack_get_info(c.h.stack, c.fd, &ci), 0);
    assert_int_equal(ci.last_data_recv, t0);
    assert_int_equal(ci.last_ack_recv, t0);
    assert_int_equal(ci.last_data_sent, SYNACK_TIME_NEVER);
    th_advance(&c.h, SYNACK_SEC(1));
    peer(&c, A, c.rcv, c.snd, 65535, buf, 1000);
    th_expect(&c.h, A, c.snd, c.rcv + 1000, 0); /* quick ACK */
    assert_int_equal(synack_send(c.h.stack, c.fd, buf, 10), 10);
    th_poll(&c.h);
    th_expect(&c.h, AP, c.snd, c.rcv + 1000, 10);
    th_advance(&c.h, SYNACK_MS(10));
    peer(&c, A, c.rcv + 1000, c.snd + 10, 65535, NULL, 0);
    assert_int_equal(synack_get_info(c.h.stack, c.fd, &ci), 0);
    assert_int_equal(ci.last_data_recv, t0 + SYNACK_SEC(1));
    assert_int_equal(ci.last_data_sent, t0 + SYNACK_SEC(1));
    assert_int_equal(ci.last_ack_recv, t0 + SYNACK_SEC(1) + SYNACK_MS(10));
    th_free(&c.h);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(psh_on_two_segment_packets_and_write_ends),
        cmocka_unit_test(later_write_moves_the_push),
        cmocka_unit_test(eor_records_stay_apart),
        cmocka_unit_test(msg_more_holds_the_partial_segment),
        cmocka_unit_test(cork_then_nodelay),
        cmocka_unit_test(notsent_lowat_limits_the_queue),
        cmocka_unit_test(notsent_lowat_from_the_config),
        cmocka_unit_test(inq_hint_and_unsent_count),
        cmocka_unit_test(last_data_times),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
