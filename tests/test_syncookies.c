/* SPDX-License-Identifier: MIT */
/* SYN cookies (RFC 4987 3.6, as Linux's syncookies.c): a full SYN queue answers statelessly;
 * the ACK that returns a valid cookie makes the connection with the MSS, window scale and
 * SACK the cookie and the timestamp kept; forged and stale cookies are refused and counted. */
#include <errno.h>
#include <string.h>
#include "harness.h"

#define PEER_ISS 7000u

static struct th_out syn_in(struct th *h, uint16_t sport, bool ts)
{
    th_inject(h, &(struct th_seg){.flags = SYNACK_SYN,
                                  .seq = PEER_ISS,
                                  .win = 65535,
                                  .mss = 1400,
                                  .wscale = 7,
                                  .sack_permitted = true,
                                  .has_ts = ts,
                                  .ts_val = 1000,
                                  .sport = sport});
    struct th_out o = {0};
    assert_true(th_take(h, &o));
    assert_int_equal(o.flags, SYNACK_SYN | SYNACK_ACK);
    assert_int_equal(o.ack, PEER_ISS + 1);
    return o;
}

static void ack_in(struct th *h, uint16_t sport, uint32_t ack, bool ts, uint32_t ts_ecr,
                   const void *data, uint32_t len)
{
    th_inject(h, &(struct th_seg){.flags = SYNACK_ACK | (len ? SYNACK_PSH : 0),
                                  .seq = PEER_ISS + 1,
                                  .ack = ack,
                                  .win = 1000,
                                  .has_ts = ts,
                                  .ts_val = 1001,
                                  .ts_ecr = ts_ecr,
                                  .data = data,
                                  .len = len,
                                  .sport = sport});
}

/* Backlog 1: the first SYN is queued, the second gets a cookie; its ACK (with data) makes
 * a connection that accept() returns, with the options the timestamp carried. */
static void full_queue_answers_with_cookie(void **state)
{
    (void)state;
    struct th h;
    th_init(&h, NULL);
    int lfd = th_listen(&h, 1);
    syn_in(&h, 1000, true); /* queued */
    assert_int_equal(synack_stack_counter(h.stack, SYNACK_CTR_TCP_COOKIES_SENT), 0);
    struct th_out c = syn_in(&h, 1001, true);
    assert_int_equal(synack_stack_counter(h.stack, SYNACK_CTR_TCP_COOKIES_SENT), 1);
    assert_int_equal(c.mss, 1460);
    assert_true(c.wscale >= 0);
    assert_true(c.sack_permitted);
    assert_true(c.has_ts);
    assert_int_equal(c.ts_val & 0xf, 7); /* the peer's window scale in TSval's low bits */
    assert_true(c.ts_val & 0x10);        /* SACK */
    assert_int_equal(synack_stack_connection_count(h.stack), 1); /* nothing kept for it */
    ack_in(&h, 1001, c.seq + 1, true, c.ts_val, "hello", 5);
    assert_int_equal(synack_stack_counter(h.stack, SYNACK_CTR_TCP_COOKIES_RECV), 1);
    struct synack_endpoint peer;
    int fd = synack_accept(h.stack, lfd, &peer);
    assert_true(fd >= 0);
    assert_int_equal(peer.port, 1001);
    char buf[8];
    assert_int_equal(synack_recv(h.stack, fd, buf, sizeof buf), 5);
    assert_memory_equal(buf, "hello", 5);
    struct synack_conn_info info;
    assert_int_equal(synack_get_info(h.stack, fd, &info), 0);
    assert_int_equal(info.state, SYNACK_ESTABLISHED);
    assert_int_equal(info.snd_mss, 1300 - 12);  /* 1400 rounds down to 1300; less timestamps */
    assert_int_equal(info.snd_wnd, 1000u << 7); /* the peer's scale came back */
    /* Our data goes out with the sequence numbers the cookie set. */
    assert_int_equal(synack_send(h.stack, fd, "abc", 3), 3);
    th_poll(&h);
    struct th_out d = {0};
    while (th_take(&h, &d) && d.len == 0) {
    }
    assert_int_equal(d.seq, c.seq + 1);
    assert_int_equal(d.ack, PEER_ISS + 6);
    th_free(&h);
}

/* A forged cookie (or one of another 4-tuple) is refused: counted, answered with a RST. */
static void forged_cookie_refused(void **state)
{
    (void)state;
    struct th h;
    th_init(&h, NULL);
    int lfd = th_listen(&h, 1);
    syn_in(&h, 1000, false);
    struct th_out c = syn_in(&h, 1001, false);
    ack_in(&h, 1001, c.seq + 0x5a5a5a, false, 0, NULL, 0); /* a blind guess */
    th_expect(&h, SYNACK_RST, c.seq + 0x5a5a5a, 0, 0);
    ack_in(&h, 1002, c.seq + 1, false, 0, NULL, 0); /* another peer's port */
    th_expect(&h, SYNACK_RST, c.seq + 1, 0, 0);
    assert_int_equal(synack_stack_counter(h.stack, SYNACK_CTR_TCP_COOKIES_FAILED), 2);
    assert_int_equal(synack_accept(h.stack, lfd, NULL), -EAGAIN);
    /* The real one still works; without timestamps, no scaling and no SACK. */
    ack_in(&h, 1001, c.seq + 1, false, 0, NULL, 0);
    int fd = synack_accept(h.stack, lfd, NULL);
    assert_true(fd >= 0);
    struct synack_conn_info info;
    synack_get_info(h.stack, fd, &info);
    assert_int_equal(info.snd_wnd, 1000);
    assert_int_equal(info.snd_mss, 1300);
    th_free(&h);
}

/* A cookie is good for two minutes at most (Linux MAX_SYNCOOKIE_AGE). */
static void stale_cookie_refused(void **state)
{
    (void)state;
    struct synack_config cfg;
    th_config(&cfg);
    cfg.syncookies = 2; /* always, so the check runs long after the overflow */
    struct th h;
    th_init(&h, &cfg);
    int lfd = th_listen(&h, 8);
    struct th_out c = syn_in(&h, 1000, false);
    th_advance(&h, SYNACK_SEC(181));
    ack_in(&h, 1000, c.seq + 1, false, 0, NULL, 0);
    th_expect(&h, SYNACK_RST, c.seq + 1, 0, 0);
    assert_int_equal(synack_stack_counter(h.stack, SYNACK_CTR_TCP_COOKIES_FAILED), 1);
    assert_int_equal(synack_accept(h.stack, lfd, NULL), -EAGAIN);
    th_free(&h);
}

/* A duplicate of a SYN that got a cookie, arriving when the queue has room again, makes a
 * half-open with another ISN; the peer's ACK of the cookie still makes the connection (the
 * half-open gives way, as Linux's tcp_check_req hands the ACK to the listener). */
static void duplicate_syn_after_cookie(void **state)
{
    (void)state;
    struct th h;
    th_init(&h, NULL);
    int lfd = th_listen(&h, 1);
    struct th_out a = syn_in(&h, 1000, true);             /* queued */
    struct th_out c = syn_in(&h, 1001, true);             /* cookie */
    ack_in(&h, 1000, a.seq + 1, true, a.ts_val, NULL, 0); /* 1000 leaves the SYN queue */
    assert_true(synack_accept(h.stack, lfd, NULL) >= 0);  /* and the accept queue */
    struct th_out d = syn_in(&h, 1001, true);             /* the duplicate: a half-open now */
    assert_true(d.seq != c.seq);
    ack_in(&h, 1001, c.seq + 1, true, c.ts_val, "x", 1);
    int f2 = synack_accept(h.stack, lfd, NULL);
    assert_true(f2 >= 0);
    struct synack_endpoint p2;
    assert_int_equal(synack_getpeername(h.stack, f2, &p2), 0);
    assert_int_equal(p2.port, 1001);
    char b[4];
    assert_int_equal(synack_recv(h.stack, f2, b, sizeof b), 1);
    assert_int_equal(synack_stack_counter(h.stack, SYNACK_CTR_TCP_COOKIES_RECV), 1);
    th_free(&h);
}

/* The accept queue full: even cookies are not sent (Linux drops the SYN). */
static void full_accept_queue_drops(void **state)
{
    (void)state;
    struct th h;
    th_init(&h, NULL);
    int lfd = th_listen(&h, 1);
    th_passive_open(&h, lfd, PEER_ISS, NULL); /* accepted: fills nothing */
    struct th_out a = syn_in(&h, 1000, false);
    ack_in(&h, 1000, a.seq + 1, false, 0, NULL, 0); /* in the accept queue now */
    th_inject(&h,
              &(struct th_seg){.flags = SYNACK_SYN, .seq = PEER_ISS, .win = 1000, .sport = 1001});
    th_expect_none(&h);
    assert_true(synack_stack_counter(h.stack, SYNACK_CTR_TCP_LISTEN_OVERFLOW) >= 1);
    th_free(&h);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(full_queue_answers_with_cookie), cmocka_unit_test(forged_cookie_refused),
        cmocka_unit_test(stale_cookie_refused),           cmocka_unit_test(full_accept_queue_drops),
        cmocka_unit_test(duplicate_syn_after_cookie),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
