/* SPDX-License-Identifier: MIT */
/* The simulator's impairments, one path at a time, and its event loop with stacks. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "harness.h"
#include "sim/path.h"
#include "synack/sim.h"

static unsigned offer(struct sk_sim_path *p, struct sk_rng *r, size_t len, synack_time_t now,
                      struct sk_sim_arrival out[2])
{
    uint8_t pkt[1500] = {0};
    return sk_sim_path_offer(p, r, pkt, len, now, out);
}

static void delay_and_rate_are_exact(void **state)
{
    (void)state;
    struct sk_sim_path p;
    memset(&p, 0, sizeof p);
    struct synack_sim_path cfg = {.delay = SYNACK_MS(10), .rate_bps = 8000000}; /* 1 byte/us */
    assert_int_equal(sk_sim_path_configure(&p, &cfg), 0);
    struct sk_rng r;
    sk_rng_seed(&r, 1);
    struct sk_sim_arrival a[2];
    /* Back to back at t=0: 1000 bytes take 1 ms each on the wire. */
    for (unsigned i = 0; i < 3; i++) {
        assert_int_equal(offer(&p, &r, 1000, 0, a), 1);
        assert_int_equal(a[0].time, SYNACK_MS(10) + SYNACK_MS(1) * (i + 1));
        assert_int_equal(a[0].corrupt_bit, -1);
    }
    /* After the wire idles, no queueing. */
    assert_int_equal(offer(&p, &r, 500, SYNACK_MS(100), a), 1);
    assert_int_equal(a[0].time, SYNACK_MS(110) + SYNACK_US(500));
    sk_sim_path_release(&p);
}

static void queue_limit_tail_drops(void **state)
{
    (void)state;
    struct sk_sim_path p;
    memset(&p, 0, sizeof p);
    struct synack_sim_path cfg = {.rate_bps = 8000000, .queue_limit = 2};
    assert_int_equal(sk_sim_path_configure(&p, &cfg), 0);
    struct sk_rng r;
    sk_rng_seed(&r, 1);
    struct sk_sim_arrival a[2];
    assert_int_equal(offer(&p, &r, 1000, 0, a), 1);
    assert_int_equal(offer(&p, &r, 1000, 0, a), 1);
    assert_int_equal(offer(&p, &r, 1000, 0, a), 0);
    assert_int_equal(p.stats.queue_drops, 1);
    /* Once the first has left (1 ms), there is room again. */
    assert_int_equal(offer(&p, &r, 1000, SYNACK_MS(1), a), 1);
    assert_int_equal(a[0].time, SYNACK_MS(3));
    sk_sim_path_release(&p);
}

static unsigned count_losses(uint64_t seed, const struct synack_sim_path *cfg, unsigned n,
                             unsigned *max_burst)
{
    struct sk_sim_path p;
    memset(&p, 0, sizeof p);
    assert_int_equal(sk_sim_path_configure(&p, cfg), 0);
    struct sk_rng r;
    sk_rng_seed(&r, seed);
    struct sk_sim_arrival a[2];
    unsigned lost = 0, burst = 0;
    *max_burst = 0;
    for (unsigned i = 0; i < n; i++) {
        if (offer(&p, &r, 100, i, a) == 0) {
            lost++;
            if (++burst > *max_burst) *max_burst = burst;
        } else {
            burst = 0;
        }
    }
    assert_int_equal(p.stats.lost, lost);
    sk_sim_path_release(&p);
    return lost;
}

static void loss_rate_and_reproducibility(void **state)
{
    (void)state;
    struct synack_sim_path cfg = {.loss = 0.1};
    unsigned burst;
    unsigned a = count_losses(7, &cfg, 10000, &burst);
    assert_true(a > 850 && a < 1150);
    assert_int_equal(count_losses(7, &cfg, 10000, &burst), a);
    assert_int_not_equal(count_losses(8, &cfg, 10000, &burst), a);
    cfg.loss = 0;
    assert_int_equal(count_losses(7, &cfg, 1000, &burst), 0);
}

static void gilbert_elliott_makes_bursts(void **state)
{
    (void)state;
    struct synack_sim_path ge = {
        .ge_good_to_bad = 0.01, .ge_bad_to_good = 0.2, .ge_loss_good = 0, .ge_loss_bad = 1};
    unsigned burst_ge, burst_iid;
    unsigned lost_ge = count_losses(3, &ge, 100000, &burst_ge);
    /* Stationary share of the bad state: 0.01 / 0.21, about 4.8%. */
    assert_true(lost_ge > 3500 && lost_ge < 6000);
    struct synack_sim_path iid = {.loss = (double)lost_ge / 100000};
    count_losses(3, &iid, 100000, &burst_iid);
    /* Mean bad-state stay 1 / 0.2 = 5 packets: far longer runs than independent loss. */
    assert_true(burst_ge >= 2 * burst_iid);
    assert_true(burst_ge >= 20);
}

static void duplicate_reorder_corrupt(void **state)
{
    (void)state;
    struct sk_sim_path p;
    memset(&p, 0, sizeof p);
    struct synack_sim_path cfg = {.delay = SYNACK_MS(10),
                                  .duplicate = 1,
                                  .reorder = 1,
                                  .reorder_delay = SYNACK_MS(7),
                                  .corrupt = 1};
    assert_int_equal(sk_sim_path_configure(&p, &cfg), 0);
    struct sk_rng r;
    sk_rng_seed(&r, 5);
    struct sk_sim_arrival a[2];
    assert_int_equal(offer(&p, &r, 100, 0, a), 2);
    assert_int_equal(a[0].time, SYNACK_MS(17));
    assert_int_equal(a[1].time, SYNACK_MS(17) + 1);
    assert_true(a[0].corrupt_bit >= 0 && a[0].corrupt_bit < 800);
    assert_int_equal(a[1].corrupt_bit, -1);
    assert_int_equal(p.stats.duplicated, 1);
    assert_int_equal(p.stats.reordered, 1);
    assert_int_equal(p.stats.corrupted, 1);
    sk_sim_path_release(&p);
}

static bool drop_big(void *ctx, const uint8_t *pkt, size_t len, synack_time_t now)
{
    (void)pkt;
    (void)now;
    (*(unsigned *)ctx)++;
    return len > 200;
}

/* Jitter stays within [delay, delay + jitter], and the same seed gives the same times. */
static void jitter_bounded_and_reproducible(void **state)
{
    (void)state;
    struct synack_sim_path cfg = {.delay = SYNACK_MS(10), .jitter = SYNACK_MS(5)};
    synack_time_t first[200];
    for (int run = 0; run < 3; run++) {
        struct sk_sim_path p;
        memset(&p, 0, sizeof p);
        assert_int_equal(sk_sim_path_configure(&p, &cfg), 0);
        struct sk_rng r;
        sk_rng_seed(&r, run < 2 ? 11 : 12);
        struct sk_sim_arrival a[2];
        unsigned same = 0;
        for (int i = 0; i < 200; i++) {
            assert_int_equal(offer(&p, &r, 100, 0, a), 1);
            assert_true(a[0].time >= SYNACK_MS(10) && a[0].time <= SYNACK_MS(15));
            if (run == 0)
                first[i] = a[0].time;
            else if (first[i] == a[0].time)
                same++;
        }
        if (run == 1) assert_int_equal(same, 200);
        if (run == 2) assert_true(same < 20);
        sk_sim_path_release(&p);
    }
}

/* Reordering really changes the order of arrival; corruption flips exactly one bit. */
static void reorder_and_corrupt_through_the_sim(void **state)
{
    (void)state;
    struct synack_sim_path cfg = {.delay = SYNACK_MS(10), .reorder = 0.3};
    struct sk_sim_path p;
    memset(&p, 0, sizeof p);
    assert_int_equal(sk_sim_path_configure(&p, &cfg), 0);
    struct sk_rng r;
    sk_rng_seed(&r, 3);
    struct sk_sim_arrival a[2];
    synack_time_t prev = 0;
    unsigned inversions = 0;
    for (int i = 0; i < 100; i++) {
        assert_int_equal(offer(&p, &r, 100, SYNACK_MS(1) * (synack_time_t)i, a), 1);
        if (a[0].time < prev) inversions++; /* a later packet arrives before an earlier one */
        prev = a[0].time > prev ? a[0].time : prev;
    }
    assert_true(inversions > 10);
    sk_sim_path_release(&p);

    /* Corruption, end to end: the delivered copy differs from what was sent in one bit. */
    struct synack_sim_path bad = {.corrupt = 1};
    struct th_pair w;
    th_pair_init(&w, 5, &bad, NULL, NULL);
    char path[] = "/tmp/synack-corrupt-XXXXXX";
    int tmp = mkstemp(path);
    assert_true(tmp >= 0);
    close(tmp);
    assert_int_equal(synack_sim_capture(w.sim, w.server, path), 0);
    th_pair_connect(&w);
    synack_sim_run_for(w.sim, SYNACK_MS(1));
    th_pair_free(&w);
    /* The server's capture holds its own packets (sent, intact) and the client's SYNs as
     * received; compare a received SYN with the SYN the client actually sent. */
    FILE *f = fopen(path, "rb");
    uint8_t buf[4096];
    size_t n = fread(buf, 1, sizeof buf, f);
    fclose(f);
    unlink(path);
    assert_true(n > 24 + 16 + 40);
    uint32_t caplen;
    memcpy(&caplen, buf + 24 + 8, 4);
    const uint8_t *got = buf + 24 + 16;
    /* Rebuild what was sent: the same SYN from a perfect path with the same seed. */
    struct th_pair w2;
    th_pair_init(&w2, 5, NULL, NULL, NULL);
    char path2[] = "/tmp/synack-clean-XXXXXX";
    tmp = mkstemp(path2);
    close(tmp);
    assert_int_equal(synack_sim_capture(w2.sim, w2.client, path2), 0);
    th_pair_connect(&w2);
    synack_sim_run_for(w2.sim, SYNACK_MS(1));
    th_pair_free(&w2);
    f = fopen(path2, "rb");
    uint8_t buf2[4096];
    size_t n2 = fread(buf2, 1, sizeof buf2, f);
    fclose(f);
    unlink(path2);
    assert_true(n2 > 24 + 16 + caplen);
    const uint8_t *sent = buf2 + 24 + 16;
    unsigned bits = 0;
    for (uint32_t i = 0; i < caplen; i++)
        bits += (unsigned)__builtin_popcount(got[i] ^ sent[i]);
    assert_int_equal(bits, 1);
}

/* Gilbert-Elliott: the mean loss burst is near 1 / P(bad -> good) when the bad state loses
 * everything. */
static void gilbert_elliott_mean_burst(void **state)
{
    (void)state;
    struct synack_sim_path ge = {
        .ge_good_to_bad = 0.01, .ge_bad_to_good = 0.2, .ge_loss_good = 0, .ge_loss_bad = 1};
    struct sk_sim_path p;
    memset(&p, 0, sizeof p);
    assert_int_equal(sk_sim_path_configure(&p, &ge), 0);
    struct sk_rng r;
    sk_rng_seed(&r, 21);
    struct sk_sim_arrival a[2];
    unsigned bursts = 0, lost = 0, run = 0;
    for (int i = 0; i < 200000; i++) {
        if (offer(&p, &r, 100, 0, a) == 0) {
            lost++;
            run++;
        } else if (run) {
            bursts++;
            run = 0;
        }
    }
    double mean = (double)lost / bursts;
    assert_true(mean > 4.5 && mean < 5.5);
    sk_sim_path_release(&p);
}

static void scripted_drops(void **state)
{
    (void)state;
    struct sk_sim_path p;
    memset(&p, 0, sizeof p);
    assert_int_equal(sk_sim_path_configure(&p, NULL), 0);
    assert_int_equal(sk_sim_path_drop_nth(&p, 3), 0);
    assert_int_equal(sk_sim_path_drop_nth(&p, 5), 0);
    assert_int_equal(sk_sim_path_drop_nth(&p, 0), -EINVAL);
    struct sk_rng r;
    sk_rng_seed(&r, 1);
    struct sk_sim_arrival a[2];
    unsigned got[6];
    for (unsigned i = 0; i < 6; i++)
        got[i] = offer(&p, &r, 100, 0, a);
    static const unsigned want[6] = {1, 1, 0, 1, 0, 1};
    assert_memory_equal(got, want, sizeof got);
    unsigned asked = 0;
    p.filter = drop_big;
    p.filter_ctx = &asked;
    assert_int_equal(offer(&p, &r, 300, 0, a), 0);
    assert_int_equal(offer(&p, &r, 100, 0, a), 1);
    assert_int_equal(asked, 2);
    assert_int_equal(p.stats.scripted_drops, 3);
    sk_sim_path_release(&p);
}

/* The loop with stacks: the lost third ACK, by scripted drop of A's second packet. */
static void sim_drop_nth_third_ack(void **state)
{
    (void)state;
    struct synack_sim_path p = {.delay = SYNACK_MS(10)};
    struct th_pair w;
    th_pair_init(&w, 1, &p, NULL, NULL);
    struct synack_sim *sim = w.sim;
    int a = w.client, b = w.server;
    struct synack_config dup;
    th_config(&dup);
    dup.local_addr = TH_SERVER_ADDR;
    assert_int_equal(synack_sim_add_host(sim, &dup), -EINVAL); /* same address twice */
    assert_int_equal(synack_sim_link(sim, b, a, &p, &p), -EEXIST);
    assert_int_equal(synack_sim_drop_nth(sim, a, b, 2), 0); /* SYN is 1, the ACK is 2 */
    struct synack_stack *sa = w.cs, *sb = w.ss;
    int l = w.lfd, c = w.cfd;
    th_pair_connect(&w);
    synack_sim_run_for(sim, SYNACK_MS(500));
    assert_int_equal(synack_poll_events(sa, c), SYNACK_POLLOUT); /* client: established */
    assert_int_equal(synack_accept(sb, l, NULL), -EAGAIN);       /* server: SYN-RECEIVED */
    /* The SYN-ACK retransmission at 1 s (+10 ms) draws a new ACK from the client. */
    synack_sim_run_until(sim, SYNACK_MS(1100));
    assert_true(synack_accept(sb, l, NULL) >= 0);
    struct synack_sim_path_stats st;
    assert_int_equal(synack_sim_path_stats(sim, a, b, &st), 0);
    assert_int_equal(st.scripted_drops, 1);
    assert_int_equal(st.sent, 3);
    assert_int_equal(st.delivered, 2);
    assert_int_equal(synack_sim_path_stats(sim, b, a, &st), 0);
    assert_int_equal(st.sent, 2);
    assert_int_equal(synack_sim_unroutable(sim), 0);
    assert_int_equal(synack_sim_now(sim), SYNACK_MS(1100));
    th_pair_free(&w);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(delay_and_rate_are_exact),
        cmocka_unit_test(queue_limit_tail_drops),
        cmocka_unit_test(loss_rate_and_reproducibility),
        cmocka_unit_test(gilbert_elliott_makes_bursts),
        cmocka_unit_test(duplicate_reorder_corrupt),
        cmocka_unit_test(scripted_drops),
        cmocka_unit_test(jitter_bounded_and_reproducible),
        cmocka_unit_test(reorder_and_corrupt_through_the_sim),
        cmocka_unit_test(gilbert_elliott_mean_burst),
        cmocka_unit_test(sim_drop_nth_third_ack),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
