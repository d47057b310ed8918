/* SPDX-License-Identifier: MIT */
/* The simulator's network card with offloads (synack_sim_set_offload): the stacks hand it
 * TCP segments of many MSS with partial checksums, the card cuts them into MSS packets with
 * full checksums before the path, and vouches for the checksums of what arrives, so the
 * bytes still arrive intact, over loss and corruption too. */
#include <errno.h>
#include <string.h>
#include "harness.h"
#include "wire/checksum.h"
#include "wire/tcp_header.h"

/* Every packet the client's path carries: no TCP payload longer than the MSS, every TCP
 * checksum complete (as a NIC leaves them). */
struct seen {
    uint64_t packets, longest, bad_csum;
};

static bool watch(void *ctx, const uint8_t *pkt, size_t len, synack_time_t now)
{
    (void)now;
    struct seen *s = ctx;
    s->packets++;
    size_t tcp_len = (size_t)sk_get16(pkt + 2) - 20;
    size_t payload = tcp_len - (size_t)(pkt[20 + 12] >> 4) * 4;
    if (payload > s->longest) s->longest = payload;
    if (!sk_tcp_checksum_ok(pkt + 20, tcp_len, sk_get32(pkt + 12), sk_get32(pkt + 16)))
        s->bad_csum++;
    (void)len;
    return false; /* not dropped */
}

/* A verified transfer: byte k of the stream is pattern(k); the server checks every one. */
struct transfer {
    struct th_pair *p;
    int sfd;
    uint32_t total, sent, got, bad;
};

static uint8_t pattern(uint32_t k)
{
    return (uint8_t)(k * 2654435761u >> 13);
}

static bool transfer_step(void *ctx)
{
    struct transfer *t = ctx;
    uint8_t buf[16384];
    if (t->sfd < 0) t->sfd = synack_accept(t->p->ss, t->p->lfd, NULL);
    while (t->sent < t->total) {
        uint32_t n = t->total - t->sent < sizeof buf ? t->total - t->sent : (uint32_t)sizeof buf;
        for (uint32_t i = 0; i < n; i++)
            buf[i] = pattern(t->sent + i);
        ssize_t r = synack_send(t->p->cs, t->p->cfd, buf, n);
        if (r <= 0) break;
        t->sent += (uint32_t)r;
    }
    for (ssize_t r; t->sfd >= 0 && (r = synack_recv(t->p->ss, t->sfd, buf, sizeof buf)) > 0;)
        for (ssize_t i = 0; i < r; i++, t->got++)
            t->bad += buf[i] != pattern(t->got);
    return t->got == t->total;
}

static void bulk_with_offload(const struct synack_sim_path *path, bool corrupt)
{
    struct th_pair p;
    th_pair_init(&p, 11, path, NULL, NULL);
    assert_int_equal(synack_sim_set_offload(p.sim, p.client, true), 0);
    assert_int_equal(synack_sim_set_offload(p.sim, p.server, true), 0);
    struct seen s = {0};
    assert_int_equal(synack_sim_set_filter(p.sim, p.client, p.server, watch, &s), 0);
    struct transfer t = {&p, -1, 4u << 20, 0, 0, 0};
    th_pair_connect(&p);
    assert_true(synack_sim_run_until_done(p.sim, transfer_step, &t, SYNACK_SEC(600)));
    assert_int_equal(t.bad, 0);
    /* The stack sent super-segments: fewer IP packets than its path carried (less than half
     * as many on a clean path, where the window grows large). */
    uint64_t stack_out = synack_stack_counter(p.cs, SYNACK_CTR_IP_OUT);
    assert_true(corrupt ? stack_out < s.packets : stack_out * 2 < s.packets);
    assert_true(s.longest <= 1448 && s.longest >= 1000);
    assert_int_equal(s.bad_csum, 0);
    /* A corrupted packet is not vouched for: the server's own check drops it. */
    uint64_t dropped = synack_stack_counter(p.ss, SYNACK_CTR_TCP_BAD_CHECKSUM) +
                       synack_stack_counter(p.ss, SYNACK_CTR_IP_BAD_CHECKSUM);
    if (corrupt)
        assert_true(dropped > 0);
    else
        assert_int_equal(dropped, 0);
    th_pair_free(&p);
}

static void offload_cuts_and_checksums(void **state)
{
    (void)state;
    struct synack_sim_path clean = {.delay = SYNACK_MS(5)};
    bulk_with_offload(&clean, false);
}

/* 1% loss and 1% corruption: still every byte intact. */
static void offload_over_loss_and_corruption(void **state)
{
    (void)state;
    struct synack_sim_path bad = {.delay = SYNACK_MS(5), .loss = 0.01, .corrupt = 0.01};
    bulk_with_offload(&bad, true);
}

/* Zero-copy sends of 2 KiB: an extent each, so a 64 KiB super-segment would need 32 pieces
 * where the link takes 19: the engine cuts what it hands over to what fits, and nothing is
 * lost (no timeout on a clean path), every byte arriving intact. */
static uint8_t zc_data[1u << 22];

struct zc_transfer {
    struct th_pair *p;
    int sfd;
    uint32_t total, sent, got, bad;
};

static bool zc_step(void *ctx)
{
    struct zc_transfer *t = ctx;
    uint8_t buf[16384];
    if (t->sfd < 0) t->sfd = synack_accept(t->p->ss, t->p->lfd, NULL);
    while (t->sent < t->total) {
        uint32_t n = t->total - t->sent < 2048 ? t->total - t->sent : 2048;
        ssize_t r =
            synack_send_flags(t->p->cs, t->p->cfd, zc_data + t->sent, n, SYNACK_MSG_ZEROCOPY);
        if (r <= 0) break;
        t->sent += (uint32_t)r;
    }
    for (ssize_t r; t->sfd >= 0 && (r = synack_recv(t->p->ss, t->sfd, buf, sizeof buf)) > 0;)
        for (ssize_t i = 0; i < r; i++, t->got++)
            t->bad += buf[i] != zc_data[t->got];
    return t->got == t->total;
}

static void offload_with_zerocopy_extents(void **state)
{
    (void)state;
    for (uint32_t k = 0; k < sizeof zc_data; k++)
        zc_data[k] = pattern(k);
    struct synack_sim_path clean = {.delay = SYNACK_MS(5)};
    struct th_pair p;
    th_pair_init(&p, 12, &clean, NULL, NULL);
    assert_int_equal(synack_sim_set_offload(p.sim, p.client, true), 0);
    assert_int_equal(synack_sim_set_offload(p.sim, p.server, true), 0);
    struct zc_transfer t = {&p, -1, sizeof zc_data, 0, 0, 0};
    th_pair_connect(&p);
    assert_true(synack_sim_run_until_done(p.sim, zc_step, &t, SYNACK_SEC(600)));
    assert_int_equal(t.bad, 0);
    assert_int_equal(synack_stack_counter(p.cs, SYNACK_CTR_TCP_TIMEOUT), 0);
    assert_int_equal(synack_stack_counter(p.cs, SYNACK_CTR_TCP_RETRANSMIT), 0);
    th_pair_free(&p);
}

static void offload_bad_host(void **state)
{
    (void)state;
    struct synack_sim *sim = synack_sim_new(1);
    assert_int_equal(synack_sim_set_offload(sim, 0, true), -EINVAL);
    assert_int_equal(synack_sim_set_offload(NULL, 0, true), -EINVAL);
    synack_sim_free(sim);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(offload_cuts_and_checksums),
        cmocka_unit_test(offload_over_loss_and_corruption),
        cmocka_unit_test(offload_with_zerocopy_extents),
        cmocka_unit_test(offload_bad_host),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
