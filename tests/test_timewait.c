/* SPDX-License-Identifier: MIT */
/* TIME-WAIT as a compact record (issue 8): an orphaned connection in TIME-WAIT gives its
 * control block back and a small record answers for it, as Linux's timewait sockets do
 * (tcp_timewait_state_process): it re-ACKs a retransmitted FIN, restarts 2 MSL on an ACK,
 * dies on a RST at RCV.NXT (RFC 1337 is not followed, as Linux by default), yields to a new
 * SYN above its sequence space (RFC 6191), keeps its 4-tuple from connect(), and its
 * answers to out-of-window segments without data are rate-limited. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "harness.h"

#define PEER_ISS 5000u

struct bytes {
    long live; /* bytes allocated now */
};

static void *count_alloc(void *ctx, size_t n)
{
    struct bytes *b = ctx;
    size_t *p = malloc(n + 16);
    if (!p) return NULL;
    p[0] = n;
    b->live += (long)n;
    return (char *)p + 16;
}

static void count_free(void *ctx, void *ptr)
{
    struct bytes *b = ctx;
    size_t *p = (size_t *)((char *)ptr - 16);
    b->live -= (long)p[0];
    free(p);
}

struct tw {
    struct th h;
    struct bytes mem;
    int lfd;
    uint32_t snd, rcv; /* after the close: our FIN's successor, the peer's FIN's */
    uint32_t ts_peer;
};

/* An established connection with timestamps, closed by us, both FINs exchanged: an
 * orphan in TIME-WAIT. */
static void to_time_wait_cfg(struct tw *t, long *before_tw, long *after_tw,
                             void (*adjust)(struct synack_config *));

static void to_time_wait(struct tw *t, long *before_tw, long *after_tw)
{
    to_time_wait_cfg(t, before_tw, after_tw, NULL);
}

static void to_time_wait_cfg(struct tw *t, long *before_tw, long *after_tw,
                             void (*adjust)(struct synack_config *))
{
    struct synack_config cfg;
    th_config(&cfg);
    if (adjust) adjust(&cfg);
    memset(&t->mem, 0, sizeof t->mem);
    cfg.alloc = count_alloc;
    cfg.dealloc = count_free;
    cfg.mem_ctx = &t->mem;
    th_init(&t->h, &cfg);
    t->lfd = th_listen(&t->h, 8);
    t->ts_peer = 100;
    th_inject(&t->h, &(struct th_seg){.flags = SYNACK_SYN,
                                      .seq = PEER_ISS,
                                      .win = 65535,
                                      .mss = 1460,
                                      .wscale = TH_NO_WS,
                                      .has_ts = true,
                                      .ts_val = t->ts_peer});
    struct th_out sa = {0};
    assert_true(th_take(&t->h, &sa));
    uint32_t iss = sa.seq;
    th_inject(&t->h, &(struct th_seg){.flags = SYNACK_ACK,
                                      .seq = PEER_ISS + 1,
                                      .ack = iss + 1,
                                      .win = 65535,
                                      .has_ts = true,
                                      .ts_val = ++t->ts_peer,
                                      .ts_ecr = sa.ts_val});
    int fd = synack_accept(t->h.stack, t->lfd, NULL);
    assert_true(fd >= 0);
    assert_int_equal(synack_close(t->h.stack, fd), 0);
    th_poll(&t->h);
    th_expect(&t->h, SYNACK_FIN | SYNACK_ACK, iss + 1, PEER_ISS + 1, 0);
    *before_tw = t->mem.live;
    th_inject(&t->h, &(struct th_seg){.flags = SYNACK_FIN | SYNACK_ACK,
                                      .seq = PEER_ISS + 1,
                                      .ack = iss + 2,
                                      .win = 65535,
                                      .has_ts = true,
                                      .ts_val = ++t->ts_peer});
    th_expect(&t->h, SYNACK_ACK, iss + 2, PEER_ISS + 2, 0);
    *after_tw = t->mem.live;
    t->snd = iss + 2;
    t->rcv = PEER_ISS + 2;
    assert_int_equal(th_state_of(&t->h, TH_PEER_PORT), SYNACK_TIME_WAIT);
    assert_int_equal(synack_stack_connection_count(t->h.stack), 1);
}

static void peer(struct tw *t, uint8_t flags, uint32_t seq, uint32_t ack, bool ts)
{
    th_inject(&t->h, &(struct th_seg){.flags = flags,
                                      .seq = seq,
                                      .ack = ack,
                                      .win = 65535,
                                      .has_ts = ts,
                                      .ts_val = ts ? ++t->ts_peer : 0});
}

static void record_is_small_and_answers(void **state)
{
    (void)state;
    struct tw t;
    long before, after;
    to_time_wait(&t, &before, &after);
    /* The control block went, a record of about 100 bytes came. */
    assert_true(before - after >= 400);
    /* A retransmitted FIN: ACKed again with the peer's latest timestamp echoed, 2 MSL
     * restarted. */
    th_advance(&t.h, SYNACK_SEC(30));
    uint32_t ts_before = t.ts_peer;
    peer(&t, SYNACK_FIN | SYNACK_ACK, t.rcv - 1, t.snd, false);
    struct th_out o = th_expect(&t.h, SYNACK_ACK, t.snd, t.rcv, 0);
    assert_true(o.has_ts);
    assert_int_equal(o.ts_ecr, ts_before);
    assert_true(o.win > 0);
    synack_time_t restart = t.h.now;
    assert_int_equal(synack_stack_next_deadline(t.h.stack), restart + SYNACK_SEC(60));
    /* A bare ACK at RCV.NXT is not answered but restarts the 2 MSL (Linux). */
    th_advance(&t.h, SYNACK_SEC(10));
    peer(&t, SYNACK_ACK, t.rcv, t.snd, true);
    th_expect_none(&t.h);
    assert_int_equal(synack_stack_next_deadline(t.h.stack), t.h.now + SYNACK_SEC(60));
    th_advance(&t.h, SYNACK_SEC(60) - 1);
    assert_int_equal(synack_stack_connection_count(t.h.stack), 1);
    th_advance(&t.h, 1);
    assert_int_equal(synack_stack_connection_count(t.h.stack), 0);
    assert_int_equal(th_state_of(&t.h, TH_PEER_PORT), SYNACK_CLOSED);
    th_free(&t.h);
    assert_int_equal(t.mem.live, 0);
}

static void out_of_window_answers_rate_limited(void **state)
{
    (void)state;
    struct tw t;
    long before, after;
    to_time_wait(&t, &before, &after);
    for (int i = 0; i < 4; i++) /* pure ACKs far ahead */
        peer(&t, SYNACK_ACK, t.rcv + 100000, t.snd, true);
    th_expect(&t.h, SYNACK_ACK, t.snd, t.rcv, 0);
    th_expect_none(&t.h);
    assert_int_equal(synack_stack_counter(t.h.stack, SYNACK_CTR_TCP_ACK_SKIPPED_TIME_WAIT), 3);
    /* An old timestamp fails PAWS: counted, and on the same clock. */
    th_inject(&t.h, &(struct th_seg){.flags = SYNACK_ACK,
                                     .seq = t.rcv,
                                     .ack = t.snd,
                                     .win = 65535,
                                     .has_ts = true,
                                     .ts_val = 1});
    th_expect_none(&t.h);
    assert_int_equal(synack_stack_counter(t.h.stack, SYNACK_CTR_TCP_PAWS), 1);
    th_free(&t.h);
}

static void rst_at_rcv_nxt_ends_it(void **state)
{
    (void)state;
    struct tw t;
    long before, after;
    to_time_wait(&t, &before, &after);
    peer(&t, SYNACK_RST, t.rcv + 5, 0, false); /* not at RCV.NXT: ignored */
    assert_int_equal(synack_stack_connection_count(t.h.stack), 1);
    peer(&t, SYNACK_RST, t.rcv, 0, false);
    th_expect_none(&t.h);
    assert_int_equal(synack_stack_connection_count(t.h.stack), 0);
    assert_int_equal(th_state_of(&t.h, TH_PEER_PORT), SYNACK_CLOSED);
    th_free(&t.h);
}

static void rfc1337_on(struct synack_config *cfg)
{
    cfg->rfc1337 = true;
}

/* RFC 1337 as an option: a RST at RCV.NXT leaves the record alone. */
static void rfc1337_ignores_rst(void **state)
{
    (void)state;
    struct tw t;
    long before, after;
    to_time_wait_cfg(&t, &before, &after, rfc1337_on);
    peer(&t, SYNACK_RST, t.rcv, 0, false);
    th_expect_none(&t.h);
    assert_int_equal(synack_stack_connection_count(t.h.stack), 1);
    assert_int_equal(synack_stack_counter(t.h.stack, SYNACK_CTR_TCP_RST_IGNORED), 1);
    th_free(&t.h);
}

/* Past max_time_wait a connection closes instead of waiting (Linux tcp_max_tw_buckets). */
static void time_wait_limit(void **state)
{
    (void)state;
    struct synack_config cfg;
    th_config(&cfg);
    cfg.max_time_wait = 0; /* no records at all */
    struct th h;
    th_init(&h, &cfg);
    int lfd = th_listen(&h, 4);
    uint32_t iss;
    int fd = th_passive_open(&h, lfd, 5000, &iss);
    assert_int_equal(synack_close(h.stack, fd), 0);
    th_poll(&h);
    th_expect(&h, SYNACK_FIN | SYNACK_ACK, iss + 1, 5001, 0);
    th_inject(&h, &(struct th_seg){
                      .flags = SYNACK_FIN | SYNACK_ACK, .seq = 5001, .ack = iss + 2, .win = 100});
    th_expect(&h, SYNACK_ACK, iss + 2, 5002, 0);
    assert_int_equal(synack_stack_connection_count(h.stack), 0);
    assert_int_equal(synack_stack_counter(h.stack, SYNACK_CTR_TCP_TW_OVERFLOW), 1);
    th_free(&h);
}

static void new_syn_opens_new_incarnation(void **state)
{
    (void)state;
    struct tw t;
    long before, after;
    to_time_wait(&t, &before, &after);
    /* A SYN below RCV.NXT is an old duplicate: answered with an ACK, the record stays. */
    peer(&t, SYNACK_SYN, t.rcv - 100, 0, false);
    th_expect(&t.h, SYNACK_ACK, t.snd, t.rcv, 0);
    assert_int_equal(synack_stack_connection_count(t.h.stack), 1);
    /* Above the old sequence space: the record goes and the listener answers. */
    th_inject(&t.h, &(struct th_seg){.flags = SYNACK_SYN,
                                     .seq = t.rcv + 100000,
                                     .win = 65535,
                                     .mss = 1460,
                                     .wscale = TH_NO_WS});
    struct th_out sa = {0};
    assert_true(th_take(&t.h, &sa));
    assert_int_equal(sa.flags, SYNACK_SYN | SYNACK_ACK);
    assert_int_equal(sa.ack, t.rcv + 100001);
    assert_int_equal(sa.seq, t.snd + 65535 + 2); /* past the old incarnation (Linux) */
    assert_int_equal(th_state_of(&t.h, TH_PEER_PORT), SYNACK_SYN_RECEIVED);
    th_free(&t.h);
}

/* connect() never reuses a 4-tuple a record holds. */
static void record_keeps_its_four_tuple(void **state)
{
    (void)state;
    struct synack_config cfg;
    th_config(&cfg);
    cfg.ephemeral_first = cfg.ephemeral_last = 41000;
    struct th h;
    th_init(&h, &cfg);
    uint32_t iss;
    uint16_t port;
    int fd = th_active_open(&h, PEER_ISS, &iss, &port);
    assert_int_equal(port, 41000);
    assert_int_equal(synack_close(h.stack, fd), 0);
    th_poll(&h);
    th_expect(&h, SYNACK_ACK | SYNACK_FIN, iss + 1, PEER_ISS + 1, 0);
    th_inject(&h, &(struct th_seg){.flags = SYNACK_ACK | SYNACK_FIN,
                                   .seq = PEER_ISS + 1,
                                   .ack = iss + 2,
                                   .win = 65535,
                                   .dport = port});
    th_expect(&h, SYNACK_ACK, iss + 2, PEER_ISS + 2, 0);
    int fd2 = synack_socket(h.stack);
    struct synack_endpoint r = {TH_PEER_ADDR, TH_PEER_PORT};
    assert_int_equal(synack_connect(h.stack, fd2, &r), -EADDRNOTAVAIL); /* the only port */
    struct synack_endpoint other = {TH_PEER_ADDR, TH_PEER_PORT + 1};
    assert_int_equal(synack_connect(h.stack, fd2, &other), -EINPROGRESS);
    th_free(&h);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(record_is_small_and_answers),
        cmocka_unit_test(out_of_window_answers_rate_limited),
        cmocka_unit_test(rst_at_rcv_nxt_ends_it),
        cmocka_unit_test(new_syn_opens_new_incarnation),
        cmocka_unit_test(record_keeps_its_four_tuple),
        cmocka_unit_test(rfc1337_ignores_rst),
        cmocka_unit_test(time_wait_limit),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
