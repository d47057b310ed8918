/* SPDX-License-Identifier: MIT */
/* Explicit Congestion Notification (RFC 3168) with Linux's default (tcp_ecn = 2: agree when
 * the peer asks, never ask): the handshake, ECT(0) on new data only, ECE echoed for a CE
 * mark until CWR, and the sender's reduction once per window with CWR on the next data.
 * Exact segments against a scripted peer. */
#include <errno.h>
#include <string.h>
#include "harness.h"
#include "wire/ipv4.h"

#define PEER_ISS 7000u
#define ECN_SETUP (SYNACK_ECE | SYNACK_CWR)

/* A passive open; the peer's SYN asks for ECN when `ask`. Returns the descriptor. */
static int open_ecn(struct th *h, const struct synack_config *cfg, bool ask, uint32_t *iss,
                    uint8_t *synack_flags)
{
    th_init(h, cfg);
    int l = th_listen(h, 4);
    th_inject(h, &(struct th_seg){.flags = SYNACK_SYN | (ask ? ECN_SETUP : 0),
                                  .seq = PEER_ISS,
                                  .win = 65535,
                                  .mss = 1000});
    struct th_out sa = {0};
    assert_true(th_take(h, &sa));
    *iss = sa.seq;
    *synack_flags = sa.flags;
    assert_int_equal(sa.ecn, 0); /* RFC 3168 6.1.1: a SYN,ACK is never ECN-capable */
    th_inject(h, &(struct th_seg){
                     .flags = SYNACK_ACK, .seq = PEER_ISS + 1, .ack = sa.seq + 1, .win = 65535});
    int fd = synack_accept(h->stack, l, NULL);
    assert_true(fd >= 0);
    return fd;
}

/* RFC 3168 6.1.1: ECE and CWR in the SYN ask; ECE alone in the SYN-ACK agrees. With
 * ecn = 0, or a SYN that does not ask, no ECE; the connection's data is then not ECT. */
static void handshake_agrees_when_asked(void **state)
{
    (void)state;
    struct th h;
    uint32_t iss;
    uint8_t f;
    open_ecn(&h, NULL, true, &iss, &f);
    assert_int_equal(f, SYNACK_SYN | SYNACK_ACK | SYNACK_ECE);
    th_free(&h);
    open_ecn(&h, NULL, false, &iss, &f);
    assert_int_equal(f, SYNACK_SYN | SYNACK_ACK);
    th_free(&h);
    struct synack_config cfg;
    th_config(&cfg);
    cfg.ecn = 0;
    int fd = open_ecn(&h, &cfg, true, &iss, &f);
    assert_int_equal(f, SYNACK_SYN | SYNACK_ACK);
    assert_int_equal(synack_send(h.stack, fd, "x", 1), 1);
    th_poll(&h);
    struct th_out o = th_expect(&h, SYNACK_ACK | SYNACK_PSH, iss + 1, PEER_ISS + 1, 1);
    assert_int_equal(o.ecn, 0);
    th_free(&h);
}

/* ecn = 1 asks in our SYN (ECE and CWR); a repeated SYN asks no more (as Linux). */
static void active_open_asks(void **state)
{
    (void)state;
    struct synack_config cfg;
    th_config(&cfg);
    cfg.ecn = 1;
    struct th h;
    th_init(&h, &cfg);
    int fd = synack_socket(h.stack);
    struct synack_endpoint peer = {TH_PEER_ADDR, TH_PEER_PORT};
    assert_int_equal(synack_connect(h.stack, fd, &peer), -EINPROGRESS);
    th_poll(&h);
    struct th_out syn = {0};
    assert_true(th_take(&h, &syn));
    assert_int_equal(syn.flags, SYNACK_SYN | ECN_SETUP);
    th_advance(&h, SYNACK_SEC(1));
    struct th_out again = {0};
    assert_true(th_take(&h, &again));
    assert_int_equal(again.flags, SYNACK_SYN);
    th_free(&h);
}

/* New data leaves ECT(0); a retransmission and pure ACKs do not (RFC 3168 6.1.5, 6.1.4). */
static void ect_on_new_data_only(void **state)
{
    (void)state;
    struct th h;
    uint32_t iss;
    uint8_t f;
    int fd = open_ecn(&h, NULL, true, &iss, &f);
    assert_int_equal(synack_send(h.stack, fd, "hello", 5), 5);
    th_poll(&h);
    struct th_out o = th_expect(&h, SYNACK_ACK | SYNACK_PSH, iss + 1, PEER_ISS + 1, 5);
    assert_int_equal(o.ecn, SK_IP_ECT0);
    th_advance(&h, SYNACK_SEC(1)); /* RTO: the retransmission is not ECT */
    struct th_out r = {0};
    bool found = false;
    while (th_take(&h, &r))
        if (r.len == 5) {
            found = true;
            assert_int_equal(r.ecn, 0);
        }
    assert_true(found);
    th_free(&h);
}

/* A CE mark on arriving data is echoed at once with ECE, and on every ACK after, until a
 * segment with CWR arrives (RFC 3168 6.1.3). */
static void ce_echoed_until_cwr(void **state)
{
    (void)state;
    struct th h;
    uint32_t iss;
    uint8_t f;
    open_ecn(&h, NULL, true, &iss, &f);
    uint32_t rcv = PEER_ISS + 1;
    th_inject(&h, &(struct th_seg){.flags = SYNACK_ACK | SYNACK_PSH,
                                   .seq = rcv,
                                   .ack = iss + 1,
                                   .win = 65535,
                                   .data = "abc",
                                   .len = 3,
                                   .ecn = SK_IP_CE});
    th_expect(&h, SYNACK_ACK | SYNACK_ECE, iss + 1, rcv + 3, 0);
    th_inject(&h, &(struct th_seg){.flags = SYNACK_ACK | SYNACK_PSH,
                                   .seq = rcv + 3,
                                   .ack = iss + 1,
                                   .win = 65535,
                                   .data = "def",
                                   .len = 3,
                                   .ecn = SK_IP_ECT0});
    th_expect(&h, SYNACK_ACK | SYNACK_ECE, iss + 1, rcv + 6, 0); /* still echoing */
    th_inject(&h, &(struct th_seg){.flags = SYNACK_ACK | SYNACK_PSH | SYNACK_CWR,
                                   .seq = rcv + 6,
                                   .ack = iss + 1,
                                   .win = 65535,
                                   .data = "ghi",
                                   .len = 3,
                                   .ecn = SK_IP_ECT0});
    th_expect(&h, SYNACK_ACK, iss + 1, rcv + 9, 0); /* CWR came: no more ECE */
    th_free(&h);
}

/* An ECE on an ACK reduces the window as a loss would (CUBIC: to 0.7), once per window of
 * data, and the next new data carries CWR (RFC 3168 6.1.2). */
static void ece_reduces_once_per_window(void **state)
{
    (void)state;
    struct th h;
    uint32_t iss;
    uint8_t f;
    int fd = open_ecn(&h, NULL, true, &iss, &f);
    static uint8_t data[20000];
    assert_int_equal(synack_send(h.stack, fd, data, sizeof data), (ssize_t)sizeof data);
    th_poll(&h);
    struct th_out o;
    while (th_take(&h, &o)) {
    }
    struct synack_conn_info before;
    assert_int_equal(synack_get_info(h.stack, fd, &before), 0);
    assert_int_equal(before.cwnd, 10 * 1000);
    th_inject(&h, &(struct th_seg){.flags = SYNACK_ACK | SYNACK_ECE,
                                   .seq = PEER_ISS + 1,
                                   .ack = iss + 1 + 1000,
                                   .win = 65535});
    struct synack_conn_info after;
    assert_int_equal(synack_get_info(h.stack, fd, &after), 0);
    assert_int_equal(after.ssthresh, 7 * 1000);
    assert_int_equal(after.cwnd, 7 * 1000);
    assert_int_equal(synack_stack_counter(h.stack, SYNACK_CTR_TCP_ECN_REDUCED), 1);
    /* The next new data segment carries CWR; the ones after it do not. */
    th_inject(&h,
              &(struct th_seg){
                  .flags = SYNACK_ACK, .seq = PEER_ISS + 1, .ack = iss + 1 + 5000, .win = 65535});
    bool first = true;
    unsigned sent = 0;
    while (th_take(&h, &o)) {
        if (o.len == 0) continue;
        assert_int_equal((o.flags & SYNACK_CWR) != 0, first);
        assert_int_equal(o.ecn, SK_IP_ECT0);
        first = false;
        sent++;
    }
    assert_true(sent > 0);
    /* A second ECE within the same window: no second reduction. */
    th_inject(&h, &(struct th_seg){.flags = SYNACK_ACK | SYNACK_ECE,
                                   .seq = PEER_ISS + 1,
                                   .ack = iss + 1 + 6000,
                                   .win = 65535});
    assert_int_equal(synack_stack_counter(h.stack, SYNACK_CTR_TCP_ECN_REDUCED), 1);
    th_free(&h);
}

static void client_asks(void *ctx, int side, struct synack_config *cfg)
{
    if (side == 0) cfg->ecn = *(const int *)ctx;
}

/* End to end through a 10 Mbit/s bottleneck whose queue marks ECN-capable packets past 20
 * queued: with ECN agreed the sender backs off on the marks and the 100-packet queue never
 * overflows (no retransmission); without it, the same transfer fills the queue and loses. */
static void marks_instead_of_losses(void **state)
{
    (void)state;
    for (int ecn = 0; ecn <= 1; ecn++) {
        struct synack_sim_path p = {.delay = SYNACK_MS(10),
                                    .rate_bps = 10000000,
                                    .queue_limit = 100,
                                    .ecn_mark_threshold = 20};
        struct th_pair w;
        th_pair_init(&w, 1, &p, client_asks, &ecn);
        assert_true(th_pair_bulk(&w, 2u << 20, SYNACK_SEC(600)));
        struct synack_sim_path_stats st;
        assert_int_equal(synack_sim_path_stats(w.sim, w.client, w.server, &st), 0);
        uint64_t rtx = synack_stack_counter(w.cs, SYNACK_CTR_TCP_RETRANSMIT);
        uint64_t reduced = synack_stack_counter(w.cs, SYNACK_CTR_TCP_ECN_REDUCED);
        print_message(
            "ecn %d: %llu marked, %llu queue drops, %llu retransmitted, %llu reductions\n", ecn,
            (unsigned long long)st.ce_marked, (unsigned long long)st.queue_drops,
            (unsigned long long)rtx, (unsigned long long)reduced);
        if (ecn) {
            assert_true(st.ce_marked > 0);
            assert_true(reduced > 0);
            assert_int_equal(st.queue_drops, 0);
            assert_int_equal(rtx, 0);
        } else {
            assert_int_equal(st.ce_marked, 0); /* not ECN-capable: never marked */
            assert_true(st.queue_drops > 0);
            assert_int_equal(reduced, 0);
        }
        th_pair_free(&w);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(handshake_agrees_when_asked), cmocka_unit_test(active_open_asks),
        cmocka_unit_test(ect_on_new_data_only),        cmocka_unit_test(ce_echoed_until_cwr),
        cmocka_unit_test(ece_reduces_once_per_window), cmocka_unit_test(marks_instead_of_losses),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
