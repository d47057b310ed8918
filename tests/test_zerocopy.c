/* SPDX-License-Identifier: MIT */
/* The zero-copy API: SYNACK_MSG_ZEROCOPY sends reference the application's memory until
 * the peer acknowledges it (every segment, retransmissions too, is read from it; the send
 * counts as completed then), mixed in order with copying sends; close() copies what is
 * unacknowledged; synack_recv_borrow lends views of the receive buffer until
 * synack_recv_return consumes what was used. */
#include <errno.h>
#include <string.h>
#include "harness.h"
#include "synack/event.h"

#define MSS 1000

static void peer(struct th_conn *c, uint32_t ack, const void *data, uint32_t len)
{
    th_inject(&c->h, &(struct th_seg){.flags = SYNACK_ACK | (len ? SYNACK_PSH : 0),
                                      .seq = c->rcv,
                                      .ack = ack,
                                      .win = 65535,
                                      .data = data,
                                      .len = len});
    c->rcv += len;
}

/* The next segment out: at seq, len bytes, equal to want. */
static void expect_bytes(struct th_conn *c, uint32_t seq, const uint8_t *want, uint32_t len)
{
    struct th_out o;
    assert_true(th_take(&c->h, &o));
    assert_int_equal(o.seq, seq);
    assert_int_equal(o.len, len);
    assert_memory_equal(o.payload, want, len);
}

/* Nothing is copied: what leaves is what the buffer holds when the segment is built, the
 * first time and when it goes again after a timeout. The send completes when all of it is
 * acknowledged, not before. */
static void zerocopy_send_reads_the_callers_buffer(void **state)
{
    (void)state;
    struct th_conn c;
    th_conn_open(&c, NULL, MSS, 65535);
    static uint8_t buf[1500], want[1500];
    memset(buf, 'a', sizeof buf);
    ssize_t n = synack_send_flags(c.h.stack, c.fd, buf, sizeof buf, SYNACK_MSG_ZEROCOPY);
    assert_int_equal(n, (ssize_t)sizeof buf);
    assert_int_equal(synack_zerocopy_completed(c.h.stack, c.fd), 0);
    memset(buf, 'b', sizeof buf); /* before the segments are built: they carry 'b' */
    memcpy(want, buf, sizeof want);
    th_poll(&c.h);
    expect_bytes(&c, c.snd, want, MSS);
    expect_bytes(&c, c.snd + MSS, want + MSS, 500);
    th_expect_none(&c.h);
    peer(&c, c.snd + MSS, NULL, 0);
    assert_int_equal(synack_zerocopy_completed(c.h.stack, c.fd), 0); /* half acknowledged */
    memset(buf + MSS, 'c', 500); /* still referenced: the retransmission reads it */
    th_run_next(&c.h, SYNACK_SEC(10));
    memset(want + MSS, 'c', 500);
    expect_bytes(&c, c.snd + MSS, want + MSS, 500);
    peer(&c, c.snd + 1500, NULL, 0);
    assert_int_equal(synack_zerocopy_completed(c.h.stack, c.fd), 1);
    th_free(&c.h);
}

/* A copying send, a zero-copy one, then another copying one: the bytes leave in that
 * order (the first was moved out of the ring into the queue); only the zero-copy send is
 * counted, once all three are acknowledged past it. */
static void copying_and_zerocopy_sends_mix_in_order(void **state)
{
    (void)state;
    struct th_conn c;
    th_conn_open(&c, NULL, MSS, 65535);
    uint8_t head[100], body[700], tail[50], want[850];
    memset(head, 'h', sizeof head);
    memset(body, 'B', sizeof body);
    memset(tail, 't', sizeof tail);
    assert_int_equal(synack_send_flags(c.h.stack, c.fd, head, sizeof head, SYNACK_MSG_MORE),
                     (ssize_t)sizeof head);
    assert_int_equal(synack_send_flags(c.h.stack, c.fd, body, sizeof body,
                                       SYNACK_MSG_ZEROCOPY | SYNACK_MSG_MORE),
                     (ssize_t)sizeof body);
    assert_int_equal(synack_send(c.h.stack, c.fd, tail, sizeof tail), (ssize_t)sizeof tail);
    memset(head, 'x', sizeof head); /* copied: no effect */
    memset(tail, 'x', sizeof tail);
    memset(want, 'h', 100);
    memset(want + 100, 'B', 700);
    memset(want + 800, 't', 50);
    th_poll(&c.h);
    expect_bytes(&c, c.snd, want, 850);
    th_expect_none(&c.h);
    peer(&c, c.snd + 100, NULL, 0);
    assert_int_equal(synack_zerocopy_completed(c.h.stack, c.fd), 0);
    peer(&c, c.snd + 850, NULL, 0);
    assert_int_equal(synack_zerocopy_completed(c.h.stack, c.fd), 1);
    th_free(&c.h);
}

/* close() copies what the peer has not acknowledged: the buffer may change at once and the
 * retransmission still carries what was sent. */
static void close_copies_unacknowledged_bytes(void **state)
{
    (void)state;
    struct th_conn c;
    th_conn_open(&c, NULL, MSS, 65535);
    uint8_t buf[600], want[600];
    memset(buf, 'z', sizeof buf);
    memcpy(want, buf, sizeof want);
    assert_int_equal(synack_send_flags(c.h.stack, c.fd, buf, sizeof buf, SYNACK_MSG_ZEROCOPY),
                     (ssize_t)sizeof buf);
    th_poll(&c.h);
    expect_bytes(&c, c.snd, want, 600);
    assert_int_equal(synack_close(c.h.stack, c.fd), 0);
    memset(buf, 0, sizeof buf); /* the application's buffer is free again */
    th_poll(&c.h);
    th_expect(&c.h, SYNACK_FIN | SYNACK_ACK, c.snd + 600, c.rcv, 0);
    th_run_next(&c.h, SYNACK_SEC(10)); /* the data goes again, from the copy */
    expect_bytes(&c, c.snd, want, 600);
    th_free(&c.h);
}

/* SYNACK_POLLZEROCOPY: up once a send completes, down once synack_zerocopy_completed has
 * told; an edge-triggered event set reports it when the acknowledgment comes. */
static void completion_readiness(void **state)
{
    (void)state;
    struct th_conn c;
    th_conn_open(&c, NULL, MSS, 65535);
    struct synack_events *set = synack_events_new(c.h.stack);
    assert_non_null(set);
    assert_int_equal(synack_events_add(set, c.fd, SYNACK_POLLZEROCOPY | SYNACK_EV_ET,
                                       (union synack_event_data){.u64 = 7}),
                     0);
    struct synack_event ev[4];
    uint8_t buf[500];
    memset(buf, 'q', sizeof buf);
    assert_int_equal(synack_send_flags(c.h.stack, c.fd, buf, sizeof buf, SYNACK_MSG_ZEROCOPY),
                     (ssize_t)sizeof buf);
    th_poll(&c.h);
    expect_bytes(&c, c.snd, buf, sizeof buf);
    assert_int_equal(synack_poll_events(c.h.stack, c.fd) & SYNACK_POLLZEROCOPY, 0);
    assert_int_equal(synack_events_wait(set, ev, 4), 0);
    peer(&c, c.snd + 500, NULL, 0);
    assert_true(synack_poll_events(c.h.stack, c.fd) & SYNACK_POLLZEROCOPY);
    assert_int_equal(synack_events_wait(set, ev, 4), 1);
    assert_int_equal(ev[0].fd, c.fd);
    assert_int_equal(ev[0].events, SYNACK_POLLZEROCOPY);
    assert_int_equal(ev[0].data.u64, 7);
    assert_int_equal(synack_zerocopy_completed(c.h.stack, c.fd), 1);
    assert_int_equal(synack_poll_events(c.h.stack, c.fd) & SYNACK_POLLZEROCOPY, 0);
    synack_events_free(set);
    th_free(&c.h);
}

/* Each send takes an extent, at most 4096 of them unacknowledged: past that a send takes
 * nothing (-EAGAIN) and the socket is not writable, until an acknowledgment frees some. */
static void extents_run_out_cleanly(void **state)
{
    (void)state;
    struct th_conn c;
    th_conn_open(&c, NULL, MSS, 65535);
    static uint8_t byte[4097];
    for (int i = 0; i < 4096; i++)
        assert_int_equal(
            synack_send_flags(c.h.stack, c.fd, byte + i, 1, SYNACK_MSG_ZEROCOPY | SYNACK_MSG_MORE),
            1);
    assert_int_equal(synack_send_flags(c.h.stack, c.fd, byte + 4096, 1, SYNACK_MSG_ZEROCOPY),
                     -EAGAIN);
    assert_int_equal(synack_poll_events(c.h.stack, c.fd) & SYNACK_POLLOUT, 0);
    th_poll(&c.h);
    struct th_out o;
    uint32_t out = 0;
    while (th_take(&c.h, &o))
        out += o.len;
    peer(&c, c.snd + out, NULL, 0);
    assert_true(synack_poll_events(c.h.stack, c.fd) & SYNACK_POLLOUT);
    assert_int_equal(synack_send_flags(c.h.stack, c.fd, byte + 4096, 1, SYNACK_MSG_ZEROCOPY), 1);
    th_free(&c.h);
}

/* The arguments: an unknown descriptor, a zero-copy send before the connection exists. */
static void zerocopy_bad_arguments(void **state)
{
    (void)state;
    struct th_conn c;
    th_conn_open(&c, NULL, MSS, 65535);
    uint8_t b[10] = {0};
    assert_int_equal(synack_zerocopy_completed(c.h.stack, 99), -EBADF);
    assert_int_equal(synack_zerocopy_completed(c.h.stack, c.fd), 0);
    int fd = synack_socket(c.h.stack);
    assert_int_equal(synack_send_flags(c.h.stack, fd, b, sizeof b, SYNACK_MSG_ZEROCOPY), -ENOTCONN);
    assert_int_equal(synack_send_flags(c.h.stack, c.fd, NULL, 5, SYNACK_MSG_ZEROCOPY), -EFAULT);
    th_free(&c.h);
}

/* Borrowed views show the bytes where they lie; other reads wait (-EBUSY) until the borrow
 * is returned; what was not consumed is read again. */
static void borrow_lends_views_until_returned(void **state)
{
    (void)state;
    struct th_conn c;
    th_conn_open(&c, NULL, MSS, 65535);
    uint8_t data[3000];
    for (unsigned i = 0; i < sizeof data; i++)
        data[i] = (uint8_t)(i * 7);
    peer(&c, c.snd, data, MSS);
    peer(&c, c.snd, data + MSS, MSS);
    peer(&c, c.snd, data + 2 * MSS, MSS);
    struct synack_iovec v[8];
    unsigned count = 0;
    ssize_t n = synack_recv_borrow(c.h.stack, c.fd, v, 8, &count);
    assert_int_equal(n, 3000);
    size_t off = 0;
    for (unsigned i = 0; i < count; i++) {
        assert_memory_equal(v[i].base, data + off, v[i].len);
        off += v[i].len;
    }
    assert_int_equal(off, 3000);
    uint8_t buf[3000];
    assert_int_equal(synack_recv(c.h.stack, c.fd, buf, sizeof buf), -EBUSY);
    assert_int_equal(synack_recv_borrow(c.h.stack, c.fd, v, 8, &count), -EBUSY);
    assert_int_equal(synack_recv_return(c.h.stack, c.fd, 3001), -EINVAL);
    assert_int_equal(synack_recv_return(c.h.stack, c.fd, 1200), 0);
    assert_int_equal(synack_recv_return(c.h.stack, c.fd, 0), -EINVAL); /* no borrow now */
    assert_int_equal(synack_recv(c.h.stack, c.fd, buf, sizeof buf), 1800);
    assert_memory_equal(buf, data + 1200, 1800);
    /* Nothing to lend: what synack_recv says (-EAGAIN), and bad arguments. */
    assert_int_equal(synack_recv_borrow(c.h.stack, c.fd, v, 8, &count), -EAGAIN);
    assert_int_equal(synack_recv_borrow(c.h.stack, c.fd, NULL, 8, &count), -EINVAL);
    assert_int_equal(synack_recv_borrow(c.h.stack, c.fd, v, 0, &count), -EINVAL);
    assert_int_equal(synack_recv_borrow(c.h.stack, 99, v, 8, &count), -EBADF);
    th_free(&c.h);
}

/* One view lends what lies in one piece of the buffer (its 4 KiB chunks): the rest comes
 * with the next borrow; after the peer's FIN, a borrow says end of stream (0). */
static void borrow_with_one_view_and_end_of_stream(void **state)
{
    (void)state;
    struct th_conn c;
    th_conn_open(&c, NULL, MSS, 65535);
    static uint8_t data[6000];
    for (unsigned i = 0; i < sizeof data; i++)
        data[i] = (uint8_t)(i * 13 + 1);
    for (unsigned k = 0; k < 6; k++)
        peer(&c, c.snd, data + k * MSS, MSS);
    th_inject(&c.h,
              &(struct th_seg){
                  .flags = SYNACK_FIN | SYNACK_ACK, .seq = c.rcv, .ack = c.snd, .win = 65535});
    size_t got = 0;
    for (int round = 0; round < 8 && got < sizeof data; round++) {
        struct synack_iovec v;
        unsigned count = 0;
        ssize_t n = synack_recv_borrow(c.h.stack, c.fd, &v, 1, &count);
        assert_true(n > 0 && n <= 4096);
        assert_int_equal(count, 1);
        assert_int_equal(v.len, (size_t)n);
        assert_memory_equal(v.base, data + got, v.len);
        got += (size_t)n;
        assert_int_equal(synack_recv_return(c.h.stack, c.fd, (size_t)n), 0);
    }
    assert_int_equal(got, sizeof data);
    struct synack_iovec v;
    unsigned count = 1;
    assert_int_equal(synack_recv_borrow(c.h.stack, c.fd, &v, 1, &count), 0);
    assert_int_equal(count, 0);
    th_free(&c.h);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(zerocopy_send_reads_the_callers_buffer),
        cmocka_unit_test(copying_and_zerocopy_sends_mix_in_order),
        cmocka_unit_test(close_copies_unacknowledged_bytes),
        cmocka_unit_test(completion_readiness),
        cmocka_unit_test(extents_run_out_cleanly),
        cmocka_unit_test(zerocopy_bad_arguments),
        cmocka_unit_test(borrow_lends_views_until_returned),
        cmocka_unit_test(borrow_with_one_view_and_end_of_stream),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
