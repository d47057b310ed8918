/* SPDX-License-Identifier: MIT */
/* Hostile input: malformed packets are counted drops, never crashes or reads past the
 * buffer (ASan checks every byte: each packet is copied into a buffer of exactly its size). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "harness.h"
#include "wire/ipv4.h"
#include "wire/tcp_header.h"

static uint64_t rng_next(uint64_t *s)
{
    uint64_t z = (*s += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

static void input_exact(struct th *h, const uint8_t *pkt, size_t len)
{
    uint8_t *copy = malloc(len ? len : 1);
    assert_non_null(copy);
    memcpy(copy, pkt, len);
    th_inject_raw(h, copy, len);
    free(copy);
}

static uint64_t drops(const struct th *h)
{
    uint64_t n = 0;
    static const enum synack_counter c[] = {
        SYNACK_CTR_IP_TOO_SHORT,   SYNACK_CTR_IP_BAD_VERSION,   SYNACK_CTR_IP_BAD_IHL,
        SYNACK_CTR_IP_BAD_LENGTH,  SYNACK_CTR_IP_BAD_CHECKSUM,  SYNACK_CTR_IP_FRAGMENT,
        SYNACK_CTR_IP_NOT_FOR_US,  SYNACK_CTR_IP_UNKNOWN_PROTO, SYNACK_CTR_TCP_TOO_SHORT,
        SYNACK_CTR_TCP_BAD_OFFSET, SYNACK_CTR_TCP_BAD_CHECKSUM, SYNACK_CTR_TCP_BAD_OPTION,
        SYNACK_CTR_TCP_BAD_PORT,
    };
    for (size_t i = 0; i < sizeof c / sizeof c[0]; i++)
        n += synack_stack_counter(h->stack, c[i]);
    return n;
}

static void each_ip_error_is_counted(void **state)
{
    (void)state;
    struct th h;
    th_init(&h, NULL);
    uint8_t pkt[1600];
    size_t n = th_build(&(struct th_seg){.flags = SYNACK_SYN, .seq = 1, .win = 10}, pkt);
    uint8_t bad[1600];

    input_exact(&h, pkt, 10);
    assert_int_equal(synack_stack_counter(h.stack, SYNACK_CTR_IP_TOO_SHORT), 1);
    memcpy(bad, pkt, n);
    bad[0] = 0x65;
    input_exact(&h, bad, n);
    assert_int_equal(synack_stack_counter(h.stack, SYNACK_CTR_IP_BAD_VERSION), 1);
    memcpy(bad, pkt, n);
    bad[0] = 0x44;
    input_exact(&h, bad, n);
    assert_int_equal(synack_stack_counter(h.stack, SYNACK_CTR_IP_BAD_IHL), 1);
    memcpy(bad, pkt, n);
    bad[2] = 0x10; /* total length 4096 > buffer */
    input_exact(&h, bad, n);
    assert_int_equal(synack_stack_counter(h.stack, SYNACK_CTR_IP_BAD_LENGTH), 1);
    memcpy(bad, pkt, n);
    bad[8] ^= 1; /* TTL changed, checksum not */
    input_exact(&h, bad, n);
    assert_int_equal(synack_stack_counter(h.stack, SYNACK_CTR_IP_BAD_CHECKSUM), 1);
    /* A fragment: MF set, checksum fixed. */
    memcpy(bad, pkt, n);
    sk_ipv4_emit(bad, TH_PEER_ADDR, TH_LOCAL_ADDR, SK_IPPROTO_TCP, 64, 1,
                 (uint16_t)(n - SK_IPV4_HDR_LEN));
    bad[6] = 0x20;
    bad[10] = bad[11] = 0;
    uint16_t ck = 0;
    {
        uint32_t sum = 0;
        for (int i = 0; i < 20; i += 2)
            sum += (uint32_t)(bad[i] << 8 | bad[i + 1]);
        while (sum >> 16)
            sum = (sum & 0xffff) + (sum >> 16);
        ck = (uint16_t)~sum;
    }
    bad[10] = (uint8_t)(ck >> 8);
    bad[11] = (uint8_t)ck;
    input_exact(&h, bad, n);
    assert_int_equal(synack_stack_counter(h.stack, SYNACK_CTR_IP_FRAGMENT), 1);
    /* TCP checksum wrong. */
    memcpy(bad, pkt, n);
    bad[n - 1] ^= 0x40;
    input_exact(&h, bad, n);
    assert_int_equal(synack_stack_counter(h.stack, SYNACK_CTR_TCP_BAD_CHECKSUM), 1);
    th_expect_none(&h);
    assert_int_equal(drops(&h), 7);
    th_free(&h);
}

static void bad_tcp_option_drops_segment(void **state)
{
    (void)state;
    struct th h;
    th_init(&h, NULL);
    th_listen(&h, 4);
    uint8_t pkt[1600];
    size_t n =
        th_build(&(struct th_seg){.flags = SYNACK_SYN, .seq = 1, .win = 10, .mss = 1000}, pkt);
    /* MSS option is kind 2 len 4 at offset 40: make its length 9 (past the header). */
    assert_int_equal(pkt[40], 2);
    pkt[41] = 9;
    struct sk_ipv4 ip;
    assert_int_equal(sk_ipv4_parse(pkt, n, &ip), SK_IPV4_OK);
    sk_tcp_set_checksum(pkt + 20, n - 20, TH_PEER_ADDR, TH_LOCAL_ADDR);
    input_exact(&h, pkt, n);
    th_expect_none(&h);
    assert_int_equal(synack_stack_counter(h.stack, SYNACK_CTR_TCP_BAD_OPTION), 1);
    th_free(&h);
}

/* Random bytes, and valid packets with random mutations, in many states: no crash, every
 * packet counted somewhere, the stack still works afterwards. */
static void random_and_mutated_packets(void **state)
{
    (void)state;
    struct th h;
    th_init(&h, NULL);
    int lfd = th_listen(&h, 16);
    uint32_t our_iss;
    int fd = th_passive_open(&h, lfd, 777, &our_iss);
    uint64_t seed = 42;
    uint8_t pkt[1600];
    for (int i = 0; i < 50000; i++) {
        uint64_t r = rng_next(&seed);
        size_t n;
        if (r % 3 == 0) {
            n = r % 200;
            for (size_t k = 0; k < n; k++)
                pkt[k] = (uint8_t)rng_next(&seed);
        } else {
            uint8_t flags = (uint8_t)(rng_next(&seed) & 0x3f);
            uint32_t seq =
                (r & 4) ? 778 + (uint32_t)(rng_next(&seed) % 3000) : (uint32_t)rng_next(&seed);
            uint32_t ack = (r & 8) ? our_iss + 1 : (uint32_t)rng_next(&seed);
            uint8_t data[64];
            uint32_t len = (uint32_t)(rng_next(&seed) % sizeof data);
            for (uint32_t k = 0; k < len; k++)
                data[k] = (uint8_t)k;
            n = th_build(&(struct th_seg){.flags = flags,
                                          .seq = seq,
                                          .ack = ack,
                                          .win = (uint16_t)rng_next(&seed),
                                          .data = data,
                                          .len = len,
                                          .mss = (int)(rng_next(&seed) % 2000),
                                          .wscale = (int)(rng_next(&seed) % 20) - 2,
                                          .sport = (r & 16) ? 0 : TH_PEER_PORT,
                                          .sack_permitted = (r & 128) != 0,
                                          .has_ts = (r & 256) != 0,
                                          .ts_val = (uint32_t)rng_next(&seed) % 5000,
                                          .ts_ecr = (uint32_t)rng_next(&seed)},
                         pkt);
            if (r & 32) /* flip a header byte and fix nothing */
                pkt[rng_next(&seed) % n] ^= (uint8_t)(1u << (rng_next(&seed) % 8));
            if (r & 64) /* truncate */
                n = rng_next(&seed) % (n + 1);
        }
        input_exact(&h, pkt, n);
        if (i % 100 == 0) th_advance(&h, SYNACK_MS(50));
        struct th_out o;
        while (th_take(&h, &o)) {
        }
    }
    uint64_t in = synack_stack_counter(h.stack, SYNACK_CTR_IP_IN);
    uint64_t tcp_in = synack_stack_counter(h.stack, SYNACK_CTR_TCP_IN);
    assert_int_equal(in, tcp_in + drops(&h)); /* every packet parsed or counted as a drop */
    (void)fd;
    th_free(&h);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(each_ip_error_is_counted),
        cmocka_unit_test(bad_tcp_option_drops_segment),
        cmocka_unit_test(random_and_mutated_packets),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
